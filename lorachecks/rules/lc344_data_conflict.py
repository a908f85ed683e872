"""Data options the trainer refuses together.

Reports `val_size` without `dataset` or together with `eval_dataset`,
`interleave_probs` with `mix_strategy: concat` or with a count that differs from the
datasets, streaming with a fractional `val_size`, with `max_samples` or without
`max_steps`, `mask_history` with `train_on_prompt`, `train_on_prompt` with a template that
cannot mask the prompt, and a maximum image or video size below its minimum.

Why it matters: each of these leaves the data loader without a consistent plan (how many
samples to split off, in which proportion to mix, how long an unbounded stream runs), so
the trainer stops instead of guessing.

Example, bad:

    streaming: true
    dataset: my_corpus

Good:

    streaming: true
    dataset: my_corpus
    max_steps: 10000

Trainer source: `DataArguments.__post_init__` (hparams/data_args.py) for `val_size`,
`interleave_probs`, streaming and `mask_history`; `get_train_args` (hparams/parser.py) for
`max_steps`; the multimodal arguments' `__post_init__` (hparams/model_args.py) for the pixel
bounds; the template (data/template.py) for `train_on_prompt`.

When the trainer stops: at start-up, while it reads the arguments (the template: when the
tokenizer is loaded, before the model).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC344"
NAME = "data-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)

# Templates whose EOS handling cannot mask the prompt (LLaMA-Factory `efficient_eos`).
EFFICIENT_EOS_TEMPLATES = frozenset(
    "bailing bailing_v2 breeze chatglm3 dots_ocr falcon fewshot gemma2 glm4 glm4_moe glm4v "
    "glm4_5v glm_ocr glm4_7 glmz1 gpt_oss index hy_dense_1_8b hy_dense_7b solar yi_vl aeva".split()
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.dataset is None and config.val_size > 1e-6:
        yield Finding("`val_size` needs `dataset` to split from", "val_size")
    if config.eval_dataset is not None and config.val_size > 1e-6:
        yield Finding(
            "`val_size` and `eval_dataset` cannot both be set", "val_size", "keep one way of choosing evaluation data"
        )
    if config.interleave_probs is not None:
        probs = [p for p in config.interleave_probs.split(",") if p.strip()]
        if config.mix_strategy == "concat":
            yield Finding("`interleave_probs` only applies to interleaved `mix_strategy`", "interleave_probs")
        elif len(probs) != len(config.datasets):
            yield Finding(
                f"{len(probs)} interleave probabilities for {len(config.datasets)} datasets", "interleave_probs"
            )
    if config.streaming and 1e-6 < config.val_size < 1:
        yield Finding("in streaming mode `val_size` must be a sample count (an integer)", "val_size")
    if config.streaming and config.max_samples is not None:
        yield Finding("`max_samples` cannot be used with `streaming`", "max_samples")
    if config.streaming and config.max_steps == -1:
        yield Finding("streaming needs `max_steps` (the dataset length is unknown)", "streaming")
    if config.mask_history and config.train_on_prompt:
        yield Finding("`mask_history` cannot be combined with `train_on_prompt`", "mask_history")
    if config.train_on_prompt and config.template in EFFICIENT_EOS_TEMPLATES:
        yield Finding(f"template `{config.template}` does not support `train_on_prompt`", "train_on_prompt")
    if config.image_max_pixels < config.image_min_pixels:
        yield Finding("`image_max_pixels` is smaller than `image_min_pixels`", "image_max_pixels")
    if config.video_max_pixels < config.video_min_pixels:
        yield Finding("`video_max_pixels` is smaller than `video_min_pixels`", "video_max_pixels")

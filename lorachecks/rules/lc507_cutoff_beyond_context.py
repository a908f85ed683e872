"""`cutoff_len` longer than the model's context window.

The context is the model's `max_position_embeddings`, from a local `config.json` or the
built-in catalogue; `rope_scaling` in the config extends it and silences this rule.

Why it matters: LLaMA-Factory accepts it and trains on positions the model never saw
(quality drops, or position ids overflow) while padding memory for nothing.

Example, bad (Llama-2, 4096 positions):

    model_name_or_path: meta-llama/Llama-2-7b-hf
    cutoff_len: 8192

Good:

    cutoff_len: 4096            # or add rope_scaling: linear

Options: `--launch-dir` (configuration `launch-dir`) is where a local model path resolves
from; the model is read with path checks off too.

Trainer source: LLaMA-Factory `hparams/parser.py` `get_train_args` sets `model_max_length`
to `cutoff_len`, which `model/model_utils/rope.py` `configure_rope` compares with
`max_position_embeddings` only when `rope_scaling` is set; without it nothing compares.

When the trainer stops: it does not (a model with learned position embeddings, such as
GPT-2, fails at the first long sample with an index error).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, model_key
from lorachecks.estimate.llm import resolve_llm
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC507"
NAME = "cutoff-beyond-context"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, lambda config: _beyond(ctx, config))


def _beyond(ctx: RuleContext, config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.rope_scaling or "rope_scaling" in ctx.validation.field_errors:
        return
    resolved = resolve_llm(config.model_name_or_path, ctx.settings.launch_dir)
    context = resolved.arch.max_position if resolved.arch is not None else None
    if context is None or config.cutoff_len <= context:
        return
    # A cutoff_len the schema refused stands at its default here; the finding is then
    # anchored on that key and dropped (LC104/LC106 report the value).
    default = "" if "cutoff_len" in ctx.data else " (LLaMA-Factory's default)"
    yield Finding(
        f"cutoff_len {config.cutoff_len}{default} exceeds the model's context of {context} tokens",
        key_of(ctx, "cutoff_len") or model_key(ctx),
        f"use cutoff_len <= {context}, or set rope_scaling to extend the context (context from {resolved.source})",
        at="value",
    )

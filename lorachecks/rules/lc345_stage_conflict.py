"""An option the chosen training `stage` does not allow.

Reports SFT-only options (`predict_with_generate`, `neat_packing`,
`train_on_prompt`, `mask_history`) in another stage, `do_predict` in SFT without
`predict_with_generate`, `load_best_model_at_end` in RM or PPO, PPO without `do_train`,
with `shift_attn` or with a logger it cannot use, `compute_accuracy` with
`predict_with_generate`, `dpo_label_smoothing` with a non-sigmoid DPO loss, and a
chat-only `infer_backend` in a training run.

Why it matters: each stage has its own trainer class, and these options exist only in some
of them; LLaMA-Factory refuses a file that asks a stage for something it cannot do.

Example, bad:

    stage: dpo
    neat_packing: true

Good:

    stage: sft
    neat_packing: true

Trainer source: `get_train_args` (hparams/parser.py) checks the stage options, PPO,
`compute_accuracy` and `infer_backend`; `FinetuningArguments.__post_init__`
(hparams/finetuning_args.py) checks `dpo_label_smoothing`.

When the trainer stops: at start-up, while it reads the arguments, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC345"
NAME = "stage-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)

SFT_ONLY = ("predict_with_generate", "neat_packing", "train_on_prompt", "mask_history")
PPO_LOGGERS = frozenset({"wandb", "tensorboard", "trackio", "none"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.stage == "dpo" and config.pref_loss != "sigmoid" and config.dpo_label_smoothing > 1e-6:
        yield Finding("`dpo_label_smoothing` only applies to `pref_loss: sigmoid`", "dpo_label_smoothing")
    if config.stage != "sft":
        for name in SFT_ONLY:
            if getattr(config, name):
                yield Finding(f"`{name}` is only allowed with `stage: sft` (this is `{config.stage}`)", name)
    elif config.do_predict and not config.predict_with_generate:
        yield Finding("`do_predict` in SFT needs `predict_with_generate: true`", "do_predict")
    if config.stage in ("rm", "ppo") and config.load_best_model_at_end:
        yield Finding(f"stage `{config.stage}` does not support `load_best_model_at_end`", "load_best_model_at_end")
    if config.stage == "ppo":
        if not config.do_train:
            yield Finding("PPO only trains; evaluate with the SFT stage", "stage")
        if config.shift_attn:
            yield Finding("PPO cannot use S^2-Attn (`shift_attn`)", "shift_attn")
        if any(r not in PPO_LOGGERS for r in config.reporters):
            yield Finding("PPO only logs to wandb, tensorboard or trackio", "report_to")
    if config.predict_with_generate and config.compute_accuracy:
        yield Finding("`compute_accuracy` cannot be combined with `predict_with_generate`", "compute_accuracy")
    if config.do_train and config.infer_backend != "huggingface":
        yield Finding(
            f"`infer_backend: {config.infer_backend}` is for chat/API only, not training",
            "infer_backend",
            "remove it from the train config",
        )

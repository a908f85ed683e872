"""GaLore, APOLLO or BAdam combined with something they do not work with.

Reports these memory-efficient optimizers with LoRA, with each other, GaLore
and APOLLO with DeepSpeed, GaLore with an `optim` it cannot wrap, and APOLLO with any
`optim` but `adamw_torch`.

Why it matters: they replace the optimizer of a full fine-tune. LLaMA-Factory refuses them
with adapters, together or under DeepSpeed, and builds them only around the optimizers it
knows ("Unknown optim").

Example, bad:

    finetuning_type: lora
    use_galore: true

Good:

    finetuning_type: full
    use_galore: true
    optim: adamw_torch

Trainer source: `FinetuningArguments.__post_init__` (hparams/finetuning_args.py) refuses
LoRA and the combinations; `get_train_args` (hparams/parser.py) refuses DeepSpeed; the
optimizer is built by `_create_galore_optimizer` / `_create_apollo_optimizer`
(train/trainer_utils.py).

When the trainer stops: at start-up for the combinations; after the model loads, when the
optimizer is created, for an unsupported `optim`.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC343"
NAME = "optimizer-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)

# Optimizers GaLore accepts; the transformers default (adamw_torch_fused) is not one.
GALORE_OPTIMS = frozenset({"adamw_torch", "adamw_bnb_8bit", "adamw_8bit", "paged_adamw_8bit", "adafactor"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    optimizers = [n for n in ("use_galore", "use_apollo", "use_badam") if getattr(config, n)]
    if optimizers and config.finetuning_type == "lora":
        yield Finding(
            "GaLore, APOLLO and BAdam cannot be combined with LoRA",
            optimizers[0],
            "use `finetuning_type: full` with these optimizers",
        )
    if len(optimizers) > 1:
        yield Finding(
            f"{' and '.join(optimizers)} cannot be used together", optimizers[1], "keep one memory-efficient optimizer"
        )
    if (config.use_galore or config.use_apollo) and config.deepspeed is not None:
        yield Finding("GaLore and APOLLO do not work with DeepSpeed", "deepspeed", "drop `deepspeed` or the optimizer")
    # Without `optim` in the file LC351 reports the default; only a written `optim` is judged here.
    if config.use_galore and config.is_set("optim") and config.optim not in GALORE_OPTIMS:
        yield Finding(
            f"GaLore does not support `optim: {config.optim}`",
            "optim",
            f"use one of {', '.join(sorted(GALORE_OPTIMS))}",
        )
    if config.use_apollo and config.is_set("optim") and config.optim != "adamw_torch":
        yield Finding(
            f"APOLLO only supports `optim: adamw_torch` (got `{config.optim}`)", "optim", "set `optim: adamw_torch`"
        )

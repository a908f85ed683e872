"""GaLore or APOLLO left on the default `optim`, which they cannot wrap.

Reports `use_galore` or `use_apollo` in a file that does not set `optim`.

Why it matters: the transformers default optimizer is `adamw_torch_fused` with torch 2.8 or
newer, and LLaMA-Factory builds GaLore and APOLLO only around the optimizers it knows: the
run gets through loading the model and then stops ("Unknown optim").

Example, bad:

    finetuning_type: full
    use_galore: true

Good:

    finetuning_type: full
    use_galore: true
    optim: adamw_torch

Trainer source: `_create_galore_optimizer` / `_create_apollo_optimizer`
(train/trainer_utils.py) raise for an optimizer they do not know; the default comes from
transformers `TrainingArguments`.

When the trainer stops: after the model loads, when the optimizer is created (with an
older torch, whose default is `adamw_torch`, it does not stop).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC351"
NAME = "optimizer-default"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)
ALIASES = ("LC302",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _notes)


def _notes(config: LlamaFactoryValues) -> Iterator[Finding]:
    if (config.use_galore or config.use_apollo) and not config.is_set("optim"):
        yield Finding(
            "GaLore/APOLLO rely on the default `optim`, which is `adamw_torch_fused` with torch >= 2.8 and is rejected ('Unknown optim')",
            "use_galore" if config.use_galore else "use_apollo",
            "set `optim: adamw_torch`",
        )

"""A warmup the scheduler refuses, or the `adafactor` scheduler without the Adafactor optimizer.

Reports `lr_warmup_steps` other than 0 with the `constant` (the default) or
`adafactor` scheduler, and `lr_scheduler = "adafactor"` with an optimizer other than
Adafactor.

Why it matters: the `constant` and `adafactor` schedulers take no warmup, and sd-scripts
stops rather than ignore it ("does not require num_warmup_steps"); the `adafactor`
scheduler reads its learning rate from the Adafactor optimizer and works with no other.

Example, bad:

    lr_scheduler = "constant"
    lr_warmup_steps = 100

Good:

    lr_scheduler = "constant_with_warmup"
    lr_warmup_steps = 100

Trainer source: sd-scripts `train_util.get_scheduler_fix` refuses both when it builds the
scheduler.

When the trainer stops: after the model loads, before the first step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC316"
NAME = "warmup-scheduler"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _scheduler)


def _scheduler(config: KohyaValues) -> Iterator[Finding]:
    scheduler = str(config.lr_scheduler or "constant")  # written empty: reported as the default
    warmup = config.lr_warmup_steps
    name = scheduler.split(":")[0].lower()
    if warmup and name in ("constant", "adafactor"):
        yield Finding(
            f"`lr_scheduler` {scheduler!r} takes no warmup, but `lr_warmup_steps` is {warmup:g}: sd-scripts stops"
            " ('does not require num_warmup_steps')",
            "lr_warmup_steps",
            'use `lr_scheduler = "constant_with_warmup"`, or set `lr_warmup_steps = 0`',
        )
    if name == "adafactor" and config.optimizer.lower() != "adafactor":
        yield Finding(
            "`lr_scheduler` adafactor needs `optimizer_type` AdaFactor",
            "lr_scheduler",
            'set `optimizer_type = "AdaFactor"` or pick another scheduler',
        )

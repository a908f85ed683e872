"""A lora-scripts config that sets both `epochs` and `max_train_steps`.

Reports `max_train_steps` written beside `epochs` (a note). Split from LC324, which still
selects it (`--select LC324`, `disable=LC324`): LC324 is about options the task type
ignores, this is about which of two limits ends the run, and a config that caps a long run
on purpose may want this note off.

Why it matters: `max_train_steps` decides when training stops, whatever the epochs: with
few images the run stops before the epochs you wrote, with many it never reaches them.

Example, bad:

    epochs: 3
    max_train_steps: 100

Good:

    epochs: 3

Trainer source: lora-scripts has no public implementation; lorachecks owns this schema
(docs/formats/lora-scripts.md), where `max_train_steps` overrides `epochs`.

When the trainer stops: it does not; it stops training at `max_train_steps`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import lora_scripts_findings

if TYPE_CHECKING:
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig

CODE = "LC334"
NAME = "steps-over-epochs"
SEVERITY = Severity.INFO
FORMATS = ("lora-scripts",)
ALIASES = ("LC324",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from lora_scripts_findings(ctx, _both_limits)


def _both_limits(config: LoraScriptsConfig) -> Iterator[Finding]:
    if config.max_train_steps is not None and config.is_set("epochs"):
        yield Finding(
            "both `epochs` and `max_train_steps` are set: `max_train_steps` decides when training stops",
            "max_train_steps",
            "keep one of the two",
        )

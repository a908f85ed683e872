"""`log_with = "tensorboard"` (or "all") without `logging_dir`.

Reports `log_with` "tensorboard" or "all" when `logging_dir` is unset or empty.

Why it matters: TensorBoard writes its event files into `logging_dir`; sd-scripts stops
rather than guess a folder ("logging_dir is required when log_with is tensorboard").

Example, bad:

    log_with = "tensorboard"

Good:

    log_with = "tensorboard"
    logging_dir = "./logs"

Trainer source: sd-scripts `train_util.prepare_accelerator` refuses it.

When the trainer stops: at start-up, when it prepares accelerate, before the model loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC318"
NAME = "logging-dir"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _logging)


def _logging(config: KohyaValues) -> Iterator[Finding]:
    log_with = config.log_with
    if log_with in ("tensorboard", "all") and not config.logging_dir:
        yield Finding(
            f'`log_with = "{log_with}"` needs `logging_dir`: sd-scripts stops ("logging_dir is required")',
            "log_with",
            'set `logging_dir = "./logs"`',
        )

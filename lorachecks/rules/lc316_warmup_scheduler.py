"""Warmup steps with a scheduler that takes none, or the adafactor scheduler without Adafactor.

Why it matters: the `constant` and `adafactor` schedulers stop sd-scripts when
`lr_warmup_steps` is not 0 ("does not require num_warmup_steps"); the `adafactor` scheduler
only works with the Adafactor optimizer.

In sd-scripts: `train_util.get_scheduler_fix` refuses it when the scheduler is built, after the model loads.

Example, bad:

    lr_scheduler = "constant"
    lr_warmup_steps = 100

Good:

    lr_scheduler = "constant_with_warmup"
    lr_warmup_steps = 100
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC316"
NAME = "warmup-scheduler"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

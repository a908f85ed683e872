"""A number is outside the range the trainer accepts.

Why it matters: a batch size, accumulation or LoRA rank of 0 crashes (ValueError,
ZeroDivisionError, "r should be a positive integer"); a negative learning rate is refused
by the optimizer. `val_size` is a fraction below 1 or a whole sample count.

Example, bad:

    gradient_accumulation_steps: 0
    learning_rate: -1.0e-4

Good:

    gradient_accumulation_steps: 8
    learning_rate: 1.0e-4
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC106"
NAME = "out-of-range"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    for key, value, errors in errors_of_kind(ctx, "range"):
        yield finding_for(ctx, key, value, errors)

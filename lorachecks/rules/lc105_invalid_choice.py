"""A value is not one of the values the key accepts.

Why it matters: an unregistered `template`, a misspelled `lr_scheduler_type` or `optim`, or
an unknown `stage` stops the trainer ("Template qwen2 does not exist.", "cosin is not a
valid SchedulerType").

Example, bad:

    template: qwen2
    lr_scheduler_type: cosin

Good:

    template: qwen
    lr_scheduler_type: cosine
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC105"
NAME = "invalid-choice"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    for key, value, errors in errors_of_kind(ctx, "choice"):
        yield finding_for(ctx, key, value, errors)

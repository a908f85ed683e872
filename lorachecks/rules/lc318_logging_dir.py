"""`log_with = "tensorboard"` (or `"all"`) without `logging_dir`.

Why it matters: sd-scripts stops at start-up ("logging_dir is required when log_with is
tensorboard"), after the models have loaded.

In sd-scripts: `train_util.prepare_accelerator` stops at start-up.

Example, bad:

    log_with = "tensorboard"

Good:

    log_with = "tensorboard"
    logging_dir = "./logs"
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC318"
NAME = "logging-dir"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

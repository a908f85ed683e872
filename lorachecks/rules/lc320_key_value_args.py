"""A `network_args`, `optimizer_args` or `lr_scheduler_args` item that is not `key=value`.

Why it matters: sd-scripts splits each item on `=` and stops when there is none or more
than one; optimizer and scheduler values are evaluated with `ast.literal_eval`, so a bare
word (`decouple=yes`) stops it too, while `betas=0.9,0.99` is a valid tuple.

In sd-scripts: `NetworkTrainer.train` splits `network_args` on `=` after the model loads; `train_util.get_optimizer` and `get_scheduler_fix` split and `ast.literal_eval` the others.

Example, bad:

    optimizer_args = ["weight_decay 0.01", "decouple=yes"]

Good:

    optimizer_args = ["weight_decay=0.01", "decouple=True"]
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC320"
NAME = "key-value-args"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

"""A `network_args`, `optimizer_args` or `lr_scheduler_args` item that is not `key=value`.

Splits each item of the three lists as sd-scripts does and reports items
without exactly one `=`, and optimizer or scheduler values that `ast.literal_eval` cannot
read.

Why it matters: sd-scripts splits each item on `=` and stops when there is none or more
than one; optimizer and scheduler values are evaluated with `ast.literal_eval`, so a bare
word (`decouple=yes`) stops it too, while `betas=0.9,0.99` is a valid tuple.

Example, bad:

    optimizer_args = ["weight_decay 0.01", "decouple=yes"]

Good:

    optimizer_args = ["weight_decay=0.01", "decouple=True"]

Trainer source: sd-scripts `NetworkTrainer.train` splits `network_args` on `=`;
`train_util.get_optimizer` and `get_scheduler_fix` split and `ast.literal_eval` the others.

When the trainer stops: after the model loads, when it builds the network, the optimizer
or the scheduler, before the first step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.network_args import problems
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC320"
NAME = "key-value-args"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _arg_lists)


def _arg_lists(config: KohyaValues) -> Iterator[Finding]:
    for option, values, literal in (
        ("network_args", config.network_args, False),
        ("optimizer_args", config.optimizer_args, True),
        ("lr_scheduler_args", config.lr_scheduler_args, True),
    ):
        if not isinstance(values, list):
            continue
        for problem in problems(option, values, literal):
            yield Finding(problem.message, (option, problem.index), problem.hint, at="value")

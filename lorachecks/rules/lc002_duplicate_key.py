"""A key is defined twice in the same mapping.

Why it matters: LLaMA-Factory (OmegaConf) refuses the file ("found duplicate key"), while
PyYAML-based trainers and JSON readers silently keep the last value, so the setting you
read first is not the one that trains.

Example, bad:

    learning_rate: 1.0e-4
    learning_rate: 5.0e-5

Good:

    learning_rate: 5.0e-5
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC002"
NAME = "duplicate-key"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

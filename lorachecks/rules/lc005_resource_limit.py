"""The file is refused because reading it would take unbounded time or memory.

Why it matters: a YAML alias bomb ("billion laughs"), absurd nesting or a file far larger
than any config would make the linter (and the trainer) hang or run out of memory. The
file is refused quickly instead.

Example, bad:

    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC005"
NAME = "resource-limit"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

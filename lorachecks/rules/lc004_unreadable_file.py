"""The file cannot be read as text (permissions, binary content, not UTF-8).

Why it matters: trainers open configs as UTF-8 text; a file saved in another encoding or a
binary file in the config folder fails before training starts.

Example: a config saved as UTF-16 by a Windows editor. Re-save it as UTF-8.
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC004"
NAME = "unreadable-file"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

"""lorachecks itself failed on this file (a bug in a rule or in the linter, not in your config).

A rule raised an exception, or reading the file crashed the linter; the finding names the
rule and the exception, on line 1.

Why it matters: the other rules still ran and their findings stand, but the failed check
said nothing about the file, so it may hide a real problem. Please report it with the file
attached (mask any secrets in it first).

Example: `LC000 internal error in rule LC201 (model-path): OSError: ...`

Trainer source: none; the failure is lorachecks' own, and says nothing about what the
trainer would do with the file.

When the trainer stops: unknown: run the other checks (they still ran) and, if in doubt,
the trainer itself (`lorachecks dry-run`).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC000"
NAME = "internal-error"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Reported by the linter when a rule raises; nothing to check on its own."""
    return iter(())

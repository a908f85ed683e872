"""The file is not valid YAML, JSON or TOML.

Why it matters: the trainer stops before reading a single option. The diagnostic points at
the character where the parser gave up; the real mistake is often on the line above (an
unclosed quote or bracket, a tab used for indentation).

Example, bad:

    lora_target: [q_proj, v_proj

Good:

    lora_target: q_proj,v_proj
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC001"
NAME = "syntax-error"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

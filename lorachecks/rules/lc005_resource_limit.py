"""The file is refused because reading it would take unbounded time or memory.

The bounds: 20,000 values once YAML aliases are expanded, 100 nesting levels, 100,000
characters in one value, 50,000 lines, and the file size (10 MiB unless set).

Why it matters: a YAML alias bomb ("billion laughs"), absurd nesting or a file far larger
than any config would make the linter (and the trainer) hang or run out of memory. The
file is refused quickly instead.

Example, bad:

    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]

Good: a config without aliases that multiply; real configs hold a few hundred values.

Options: `--max-file-bytes` sets the size limit. The other bounds are fixed
(`lorachecks/loader/limits.py`).

Trainer source: none; the trainers' loaders (OmegaConf, PyYAML, toml) have no such bounds
and expand aliases in full.

When the trainer stops: it may not: it can hang or exhaust memory while loading the file.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC005"
NAME = "resource-limit"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

"""Inline suppression comments, found in the raw text (YAML and TOML loaders drop comments).

    learning_rate: 2e-4  # lorachecks: disable=LC104          this line
    # lorachecks: disable-next-line=LC101,LC102               the line below
    # lorachecks: disable-file=LC2                            the whole file

Codes are comma-separated rule codes or prefixes (``LC2`` covers every LC2xx rule; an older
code such as ``LC301`` covers every rule that took part of it over); ``all``, or no
``=codes`` at all, covers every rule. JSON has no comments, so JSON files cannot carry suppressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lorachecks.core.diagnostics import Diagnostic
from lorachecks.core.records import field, record
from lorachecks.core.settings import selects

_DIRECTIVE = re.compile(
    r"lorachecks\s*:\s*(disable-next-line|disable-file|disable)\b(?:\s*=\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*))?"
)
_LINES = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")  # line breaks as YAML counts them
# Characters after which a quote opens a quoted scalar/string (else it is part of plain text).
_QUOTE_OPENERS = frozenset(":-[{,?=")


@record(slots=True)
class Suppressions:
    file: set[str] = field(default_factory=set)
    lines: dict[int, set[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.file or self.lines)

    def covers(self, diagnostic: Diagnostic) -> bool:
        from lorachecks.rules import aliases

        older = aliases().get(diagnostic.code, ())
        return _matches(diagnostic.code, older, self.file) or _matches(
            diagnostic.code, older, self.lines.get(diagnostic.line, ())
        )


def _matches(code: str, older: tuple[str, ...], prefixes: Iterable[str]) -> bool:
    return any(p == "ALL" or selects(p, code, older) for p in prefixes)


def comment_start(line: str, syntax: str) -> int | None:
    """Index of the ``#`` that starts a comment on ``line``, skipping ``#`` inside quotes."""
    quote: str | None = None
    previous = ""  # last non-blank character outside quotes
    i = 0
    while i < len(line):
        char = line[i]
        if quote is not None:
            if char == "\\" and quote == '"':
                i += 2
                continue
            if char == quote:
                if quote == "'" and syntax == "yaml" and line[i + 1 : i + 2] == "'":
                    i += 2  # '' is an escaped quote in a YAML single-quoted scalar
                    continue
                quote = None
                previous = char
        elif char in "'\"" and (not previous or previous in _QUOTE_OPENERS):
            quote = char
        elif char == "#" and (syntax != "yaml" or i == 0 or line[i - 1] in " \t"):
            return i
        elif not char.isspace():
            previous = char
        i += 1
    return None


def scan(text: str, syntax: str) -> Suppressions:
    """Collect the suppression comments of a YAML or TOML text."""
    found = Suppressions()
    if syntax not in ("yaml", "toml") or "lorachecks" not in text:
        return found
    for number, line in enumerate(_LINES.split(text), 1):
        if "lorachecks" not in line:
            continue
        start = comment_start(line, syntax)
        if start is None:
            continue
        match = _DIRECTIVE.search(line, start)
        if match is None:
            continue
        kind, raw = match.groups()
        codes = {c.strip().upper() for c in raw.split(",") if c.strip()} if raw else {"ALL"}
        if kind == "disable-file":
            found.file |= codes
        else:
            target = number + 1 if kind == "disable-next-line" else number
            found.lines.setdefault(target, set()).update(codes)
    return found


def apply(text: str, syntax: str, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop the diagnostics that a suppression comment covers."""
    if not diagnostics:
        return diagnostics
    found = scan(text, syntax)
    if not found:
        return diagnostics
    return [d for d in diagnostics if not found.covers(d)]

"""Positions in an editor buffer: LSP counts lines by \\n, \\r\\n or \\r and characters in
UTF-16 code units; lorachecks counts 1-based lines and Python characters."""

from __future__ import annotations

import re

from lorachecks.core.records import record

_BREAK = re.compile(r"\r\n|\r|\n")
# A key at the start of a line: YAML `key:`, TOML `key =`, JSON `"key":` (optionally a list item).
_KEY = re.compile(r"""^(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<quote>["']?)(?P<key>[A-Za-z_][\w.\-]*)(?P=quote)[ \t]*[:=]""")
_PARTIAL_KEY = re.compile(r"""^[ \t]*(?:-[ \t]+)?["']?(?P<word>[\w.\-]*)$""")
_VALUE = re.compile(r"""^[ \t]*(?:-[ \t]+)?["']?(?P<key>[A-Za-z_][\w.\-]*)["']?[ \t]*[:=][ \t]*(?P<value>.*)$""")
_TABLE = re.compile(r"^[ \t]*\[\[?[ \t]*(?P<name>[^\]]+?)[ \t]*\]\]?")
_TOKEN = re.compile(r"""("[^"\n]*"|'[^'\n]*'|[^\s#,\]}]+)""")


def lines(text: str) -> list[str]:
    return _BREAK.split(text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_utf16(line: str, index: int) -> int:
    """The UTF-16 column of Python index ``index`` in ``line``."""
    return utf16_length(line[:index])


def from_utf16(line: str, column: int) -> int:
    """The Python index in ``line`` of UTF-16 column ``column``."""
    units = 0
    for index, char in enumerate(line):
        if units >= column:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


@record(frozen=True, slots=True)
class Span:
    """A range in LSP terms: 0-based lines, UTF-16 columns."""

    line: int
    start: int
    end_line: int
    end: int


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """(0-based line, UTF-16 column) of Python offset ``offset`` in ``text``."""
    before = text[:offset]
    starts = [m.end() for m in _BREAK.finditer(before)]
    line_start = starts[-1] if starts else 0
    return len(starts), utf16_length(before[line_start:])


def token_span(buffer: list[str], line: int, column: int, key: str | None = None) -> Span:
    """The range of the key or value a diagnostic at 1-based (line, column) points at."""
    row = line - 1
    if not 0 <= row < len(buffer):
        return Span(0, 0, 0, 0)
    text = buffer[row]
    index = min(max(column - 1, 0), len(text))
    rest = text[index:]
    leaf = key.rsplit(".", 1)[-1] if key else None
    if leaf and rest.startswith(leaf):
        length = len(leaf)
    else:
        match = _TOKEN.match(rest)
        length = len(match.group(0)) if match else 0
    if length == 0:  # nothing to underline (a whole-file finding): the rest of the line, or one character
        length = max(len(rest.rstrip()), 1 if rest else 0)
    return Span(row, to_utf16(text, index), row, to_utf16(text, index + length))


def key_at(buffer: list[str], row: int, column: int) -> str | None:
    """The option key under the cursor (0-based line, UTF-16 column), if any."""
    if not 0 <= row < len(buffer):
        return None
    text = buffer[row]
    match = _KEY.match(text)
    if match is None:
        return None
    index = from_utf16(text, column)
    if match.start("key") <= index <= match.end("key"):
        return match.group("key")
    return None


def partial_key(before: str) -> str | None:
    """The beginning of a key typed so far (text before the cursor), or None in a value."""
    match = _PARTIAL_KEY.match(before)
    return match.group("word") if match else None


def value_context(before: str) -> tuple[str, str] | None:
    """(key, value typed so far) when the cursor is in a value, else None."""
    match = _VALUE.match(before)
    if match is None:
        return None
    return match.group("key"), match.group("value")


def table_at(buffer: list[str], row: int) -> str | None:
    """The TOML table header above line ``row`` (``general``, ``datasets.subsets``...)."""
    for text in reversed(buffer[: row + 1]):
        match = _TABLE.match(text)
        if match:
            return match.group("name")
    return None


def written_keys(buffer: list[str]) -> set[str]:
    return {m.group("key") for m in map(_KEY.match, buffer) if m}

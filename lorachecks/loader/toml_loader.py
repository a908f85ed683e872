"""Position-aware TOML loading.

The values come from ``tomllib`` (``tomli`` before Python 3.11), so types, escapes and
errors are exactly what a Python trainer sees. ``tomllib`` gives no positions, so a small
scanner walks the same text and records where every key and value starts: table headers,
arrays of tables (``[[datasets.subsets]]``), dotted keys, multi-line arrays and strings,
inline tables.

Two dialects:

- ``toml``: the nested data as written (kohya ``--dataset_config``).
- ``kohya``: the tables flattened one level, the way sd-scripts reads a ``--config_file``
  (``[section] key = v`` becomes ``key = v``; the last table wins on a repeated key).
"""

from __future__ import annotations

import bisect
import copy
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from lorachecks.core.diagnostics import Severity
from lorachecks.loader.document import Document, KeyPath, LoadProblem, Position
from lorachecks.loader.limits import parse_bounded

if sys.version_info >= (3, 11):  # pragma: no cover - version dependent
    import tomllib
else:  # pragma: no cover - version dependent
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_ERROR_END = re.compile(r"\s*\(at end of document\)\s*$")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^\s,\]}#]+(?:[ T][0-9:.+\-Z]+)?")


class _ScanError(Exception):
    """The scanner lost its way; positions fall back to the file start."""


class _Scanner:
    """Records key and value positions; trusts ``tomllib`` for validity."""

    def __init__(self, text: str, doc: Document) -> None:
        self.text = text
        self.doc = doc
        self.i = 0
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.table: KeyPath = ()
        self.aot_len: dict[KeyPath, int] = {}

    def pos(self, index: int) -> Position:
        line = bisect.bisect_right(self.line_starts, index) - 1
        return Position(line + 1, index - self.line_starts[line] + 1)

    # --- low-level --------------------------------------------------------------------
    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.text[j] if j < len(self.text) else ""

    def skip_blank(self, newlines: bool = False) -> None:
        """Skip spaces/tabs (and newlines and comments when ``newlines``)."""
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif newlines and c == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end

    def skip_line(self) -> None:
        self.skip_blank()
        if self.peek() == "#":
            self.skip_comment()
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end + 1

    def string(self) -> str:
        """Read one string token (any of the four kinds) and return its text."""
        text = self.text
        quote = text[self.i]
        if text.startswith(quote * 3, self.i):
            start = self.i + 3
            j = start
            while True:
                j = text.find(quote * 3, j)
                if j < 0:
                    raise _ScanError("unterminated string")
                if quote == '"' and _escaped(text, j):
                    j += 1
                    continue
                end = j
                while text.startswith(quote, end + 3):  # up to two quotes may close it
                    end += 1
                self.i = end + 3
                return text[start:end]
        j = self.i + 1
        while j < len(text) and text[j] != quote:
            if text[j] == "\\" and quote == '"':
                j += 1
            if text[j] == "\n":
                raise _ScanError("newline in string")
            j += 1
        value = text[self.i + 1 : j]
        self.i = j + 1
        return value

    def key(self) -> list[str]:
        """A (possibly dotted) key; leaves the cursor after it."""
        parts: list[str] = []
        while True:
            self.skip_blank()
            c = self.peek()
            if c in ('"', "'"):
                raw = self.string()
                parts.append(raw if c == "'" else _unescape(raw))
            else:
                match = _BARE.match(self.text, self.i)
                if not match:
                    raise _ScanError("bad key")
                parts.append(match.group())
                self.i = match.end()
            self.skip_blank()
            if self.peek() != ".":
                return parts
            self.i += 1

    # --- values -----------------------------------------------------------------------
    def value(self, path: KeyPath) -> None:
        self.doc.value_positions[path] = self.pos(self.i)
        c = self.peek()
        if c in ('"', "'"):
            self.doc.scalar_styles[path] = c
            self.string()
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "]":
                    self.i += 1
                    return
                self.value((*path, index))
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.i += 1
        elif c == "{":
            self.i += 1
            while True:
                self.skip_blank()
                if self.peek() == "}":
                    self.i += 1
                    return
                self.keyval(path)
                self.skip_blank()
                if self.peek() == ",":
                    self.i += 1
        else:
            self.doc.scalar_styles[path] = None
            match = _SCALAR.match(self.text, self.i)
            if not match:
                raise _ScanError("bad value")
            self.i = match.end()

    def keyval(self, base: KeyPath) -> None:
        start = self.i
        parts = self.key()
        path = base
        for part in parts:
            path = (*path, part)
            self.doc.key_positions.setdefault(path, self.pos(start))
        self.skip_blank()
        if self.peek() != "=":
            raise _ScanError("expected =")
        self.i += 1
        self.skip_blank()
        self.value(path)

    def header(self) -> None:
        start = self.i
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        parts = self.key()
        self.skip_blank()
        self.i += 2 if array else 1
        path: KeyPath = ()
        for part in parts[:-1]:
            path = (*path, part)
            self.doc.key_positions.setdefault(path, self.pos(start))
            if path in self.aot_len:
                path = (*path, self.aot_len[path] - 1)
        path = (*path, parts[-1])
        self.doc.key_positions.setdefault(path, self.pos(start))
        if array:
            count = self.aot_len.get(path, 0)
            self.aot_len[path] = count + 1
            path = (*path, count)
            self.doc.key_positions[path] = self.pos(start)
        self.table = path

    def run(self) -> None:
        while self.i < len(self.text):
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return
            if self.peek() == "[":
                self.header()
            else:
                self.keyval(self.table)
            self.skip_line()


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _unescape(raw: str) -> str:
    try:
        value = tomllib.loads(f'k = "{raw}"')["k"]
    except tomllib.TOMLDecodeError:
        return raw
    return str(value)


def _syntax_problem(exc: Exception) -> LoadProblem:
    message = str(exc)
    where = Position(1, 1)
    match = _ERROR_AT.search(message)
    if match:
        where = Position(int(match.group(1)), int(match.group(2)))
        message = message[: match.start()]
    else:
        match_end = _ERROR_END.search(message)
        if match_end:
            message = message[: match_end.start()]
    hint = None
    lowered = message.lower()
    if "escape" in lowered or "\\" in message:
        hint = "write Windows paths in single quotes ('C:\\data') or with forward slashes"
    elif "cannot overwrite" in lowered or "cannot declare" in lowered:
        hint = "TOML allows each key and table once; keep one definition"
    return LoadProblem("LC001", f"TOML syntax error: {message}", where, hint=hint)


def _flatten(doc: Document) -> None:
    """Flatten one level of tables, as sd-scripts' ``read_config_from_file`` does."""
    nested: dict[str, Any] = doc.data
    flat: dict[str, Any] = {}
    origin: dict[str, str | None] = {}
    for section, content in nested.items():
        items = content.items() if isinstance(content, dict) else [(section, content)]
        table = section if isinstance(content, dict) else None
        for key, value in items:
            if key in flat:
                prior = origin[key]
                first = doc.key_position((prior, key) if prior is not None else (key,))
                same = flat[key] == value
                doc.problems.append(
                    LoadProblem(
                        "LC002",
                        f"`{key}` is set in two tables ([{origin[key] or 'top level'}] on line {first.line}"
                        f" and [{table or 'top level'}]): sd-scripts flattens the tables and keeps the last"
                        + (" (same value)" if same else f" ({value!r}, not {flat[key]!r})"),
                        doc.key_position((section, key) if table else (key,)),
                        (key,),
                        "keep one definition of the key",
                        Severity.INFO if same else Severity.WARNING,
                    )
                )
            flat[key] = value
            origin[key] = table

    def renamed(path: KeyPath) -> KeyPath | None:
        """Where ``path`` lives after flattening (None: a table header, or a shadowed key)."""
        head = path[0]
        if isinstance(head, str) and isinstance(nested.get(head), dict):
            if len(path) == 1 or origin.get(str(path[1]), None) != head:
                return None
            return path[1:]
        return path if origin.get(str(head), "") is None else None

    def moved(source: dict[KeyPath, Any]) -> dict[KeyPath, Any]:
        out: dict[KeyPath, Any] = {}
        for path, item in source.items():
            new = renamed(path)
            if new is not None:
                out[new] = item
        return out

    doc.data = flat
    doc.key_positions = moved(doc.key_positions)
    doc.value_positions = moved(doc.value_positions)
    doc.scalar_styles = moved(doc.scalar_styles)


@lru_cache(maxsize=8)
def _parse(text: str) -> Document:
    """The nested document (cached: detection and the flattened reload read the same text)."""
    doc = Document(path=Path(), text=text, syntax="toml", dialect="toml")
    try:
        data = parse_bounded(text, tomllib.loads, "TOML", tomllib.TOMLDecodeError)
    except tomllib.TOMLDecodeError as exc:
        doc.problems.append(_syntax_problem(exc))
        return doc
    if isinstance(data, LoadProblem):
        doc.problems.append(data)
        return doc
    doc.data = data
    try:
        _Scanner(text, doc).run()
    except (_ScanError, IndexError, RecursionError):
        pass  # positions are a convenience; the data is already correct
    if isinstance(data, dict):
        _homogeneity_problems(doc)
    return doc


def _array_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__  # bool before int: bool is its own kind


def _mixed_arrays(value: Any, path: KeyPath) -> list[KeyPath]:
    """Paths of arrays whose items differ in type, which the `toml` package refuses."""
    found: list[KeyPath] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _mixed_arrays(item, (*path, key))
    elif isinstance(value, list):
        # tables count as a kind too: `["x", {y = 1}]` is refused, `[{x = 1}, {y = "s"}]` is not
        if len({_array_kind(item) for item in value}) > 1:
            found.append(path)
        for index, item in enumerate(value):
            found += _mixed_arrays(item, (*path, index))
    return found


def _homogeneity_problems(doc: Document) -> None:
    """sd-scripts reads every TOML file with the `toml` package (0.10.2), which follows TOML
    0.5: an array holds one type, so `[1e-5, 1]` stops the run at start-up ("Not a
    homogeneous array") although TOML 1.0 and tomllib accept it."""
    for path in _mixed_arrays(doc.data, ()):
        doc.problems.append(
            LoadProblem(
                "LC001",
                f"`{'.'.join(str(p) for p in path)}` mixes value types in one array: the `toml` package"
                " sd-scripts reads configs with (0.10.2) stops at start-up with 'Not a homogeneous array'",
                doc.value_position(path),
                path,
                "write every item the same way, e.g. [1e-5, 1.0]",
            )
        )


def load_toml(path: Path, text: str, dialect: str = "toml") -> Document:
    """Load TOML text, never raising for bad input."""
    parsed = _parse(text)
    doc = Document(
        path=path,
        text=text,
        syntax="toml",
        dialect=dialect,
        data=copy.deepcopy(parsed.data),
        key_positions=dict(parsed.key_positions),
        value_positions=dict(parsed.value_positions),
        scalar_styles=dict(parsed.scalar_styles),
        problems=list(parsed.problems),
    )
    if dialect == "kohya" and isinstance(doc.data, dict):
        _flatten(doc)
    return doc

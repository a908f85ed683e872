"""A fast reader for the common shape of a train config: one ``key: value`` per line.

Most configs are a flat mapping of plain scalars with comments. For those, scanning lines
with one regular expression gives the same data, positions and quoting styles as composing
a PyYAML node tree, at a fraction of the cost and without importing PyYAML. Plain scalars
are resolved by ``yaml11`` exactly as the dialect's PyYAML loader resolves them, so
``1e-4``, ``on`` or ``null`` mean what they mean to the trainer; the few it leaves to
PyYAML (timestamps, ``=``) are built by the dialect's own loader class. Anything else
(nesting, lists, flow collections, anchors, tags, multi-line or escaped scalars, empty
values, duplicate keys, non-ASCII text, document markers) returns None and the full
loader reads the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lorachecks.loader.document import Document, Position
from lorachecks.loader.yaml11 import STR, resolve_plain

# key: plain scalar | 'single' | "double", then an optional comment.
_LINE = re.compile(
    r"""(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*):
    (?:[ ]+(?:
        (?P<plain>(?:[A-Za-z0-9_./~+$(=]|-(?=[^\s]))[^#\t]*?)
       |'(?P<single>[^'\n]*)'
       |"(?P<double>[^"\\\n]*)"
    ))
    [ ]*(?:[ ]\#[^\n]*)?$""",
    re.X,
)
_SKIP = re.compile(r"[ ]*(?:#[^\n]*)?$")  # blank or comment-only line
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # the full reader reports these
_MAX_CACHE = 50_000
_values: dict[tuple[str, str], tuple[str, Any]] = {}  # (dialect, plain text) -> (tag, value)


def load_flat(
    path: Path, text: str, dialect: str, max_scalar_chars: int = 100_000, max_nodes: int = 20_000
) -> Document | None:
    """The document for a flat config, or None when the full YAML loader is needed (also
    whenever a resource limit could be reached: the full loader reports those)."""
    if not text.isascii() or text.startswith(("%", "---")) or _CONTROL.search(text.replace("\n", " ")):
        return None
    if len(text) > max_scalar_chars or text.count("\n") + 1 >= max_nodes:
        return None
    doc = Document(path=path, text=text, syntax="yaml", dialect=dialect)
    data: dict[str, Any] = {}
    keys, values, styles = doc.key_positions, doc.value_positions, doc.scalar_styles
    known, positions = _values, _positions  # looked up here: a call per scalar costs
    for number, line in enumerate(text.split("\n"), start=1):
        match = _LINE.match(line)
        if match is None:
            if _SKIP.match(line):
                continue
            return None
        key = match["key"]
        resolved_key = known.get((dialect, key)) or _resolve(dialect, key)
        if key in data or resolved_key is None or resolved_key[0] != STR:
            return None  # duplicate keys and keys such as `on:` or `null:`: full loader
        plain = match["plain"]
        if plain is not None:
            if ": " in plain or plain.endswith(":") or plain.rstrip() != plain:
                return None
            resolved = known.get((dialect, plain)) or _resolve(dialect, plain)
            if resolved is None:
                return None
            value = resolved[1]
            style, column = None, match.start("plain")
        else:
            quoted = match["single"] if match["single"] is not None else match["double"]
            style = "'" if match["single"] is not None else '"'
            value, column = quoted, match.start("single" if style == "'" else "double") - 1
        at_key = positions.get((number, 1)) or _position(number, 1)
        if not values:
            values[()] = at_key
        keys[(key,)] = at_key
        values[(key,)] = positions.get((number, column + 1)) or _position(number, column + 1)
        styles[(key,)] = style
        data[key] = value
    if not data:
        return None
    doc.data = data
    return doc


_positions: dict[tuple[int, int], Position] = {}


def _position(line: int, column: int) -> Position:
    """Positions are immutable: the same line and column share one (configs repeat them)."""
    found = _positions.get((line, column))
    if found is None:
        found = Position(line, column)
        if len(_positions) < _MAX_CACHE:
            _positions[(line, column)] = found
    return found


def _resolve(dialect: str, text: str) -> tuple[str, Any] | None:
    """Tag and value of a plain scalar as the dialect's PyYAML loader builds them; None
    when only the full loader can tell (no constructor for the tag, a construction error)."""
    cached = _values.get((dialect, text))
    if cached is not None:
        return cached
    result = resolve_plain(dialect, text) or _resolve_with_pyyaml(dialect, text)
    if result is not None and type(result[1]) in (str, int, float, bool, type(None)) and len(_values) < _MAX_CACHE:
        _values[(dialect, text)] = result
    return result


def _resolve_with_pyyaml(dialect: str, text: str) -> tuple[str, Any] | None:
    """What ``yaml11`` leaves to PyYAML (timestamps, ``=``, values it cannot build)."""
    import yaml

    from lorachecks.loader.yaml_nodes import LOADERS

    loader = _loaders.get(dialect)
    if loader is None:
        loader = _loaders[dialect] = LOADERS[dialect]("")
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    constructor = loader.yaml_constructors.get(tag)
    if constructor is None:
        return None
    try:
        return tag, constructor(loader, yaml.ScalarNode(tag, text))
    except Exception:
        return None


_loaders: dict[str, Any] = {}

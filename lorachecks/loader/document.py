"""A loaded config: plain Python data plus where every key and value came from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.records import field, record

if TYPE_CHECKING:
    from lorachecks.core.diagnostics import Severity

KeyPath = tuple[str | int, ...]


@record(frozen=True, slots=True)
class Position:
    line: int
    column: int


@record(frozen=True, slots=True)
class LoadProblem:
    """Something the loader itself found (syntax error, duplicate key, ...)."""

    code: str
    message: str
    position: Position
    key: KeyPath | None = None
    hint: str | None = None
    severity: Severity | None = None  # None: the rule's default


@record(slots=True)
class Document:
    """The result of loading one file with one trainer's loader semantics."""

    path: Path
    text: str
    syntax: str  # "yaml", "json" or "toml"
    dialect: str  # which trainer loader was reproduced, e.g. "omegaconf"
    data: Any = None
    key_positions: dict[KeyPath, Position] = field(default_factory=dict)
    value_positions: dict[KeyPath, Position] = field(default_factory=dict)
    # Quoting style of scalar values: None for plain scalars, the quote char otherwise.
    scalar_styles: dict[KeyPath, str | None] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the data could be built (problems may still be warnings)."""
        return self.data is not None

    @property
    def mapping(self) -> dict[str, Any]:
        return self.data if isinstance(self.data, dict) else {}

    def key_position(self, key: KeyPath | str) -> Position:
        path = (key,) if isinstance(key, str) else key
        while path:
            if path in self.key_positions:
                return self.key_positions[path]
            path = path[:-1]
        return Position(1, 1)

    def value_position(self, key: KeyPath | str) -> Position:
        path = (key,) if isinstance(key, str) else key
        return self.value_positions.get(path) or self.key_position(path)

    def flat_path(self, key: str) -> KeyPath | None:
        """Where ``key`` of a file its trainer flattens (kohya TOML: every table one namespace)
        is written: the shortest path ending in it, the last such (the value that wins)."""
        found = [p for p in self.key_positions if p[-1:] == (key,)]
        if not found:
            return None
        shortest = min(len(p) for p in found)
        return [p for p in found if len(p) == shortest][-1]

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def dotted(path: KeyPath) -> str:
    """Render a key path the way users write it: ``a.b[0].c``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out

"""Resource bounds shared by every loader: hostile input is refused fast, never expanded.

A config has a few hundred values. Anything far beyond that is a mistake or an attack (a
YAML alias bomb, a 10 MB flow list, a megabyte-long scalar), and building it would cost
seconds and gigabytes. Loaders call these helpers and turn :class:`LimitExceeded` into an
LC005 problem with :func:`refused`:

- :func:`check_text` before parsing (cheap counts over the raw text, C speed);
- :func:`check_tree` after parsing, for loaders that build plain data (JSON, TOML);
- the YAML loader counts nodes and alias expansions while composing (see ``yaml_loader``).

The byte cap itself is ``Settings.max_file_bytes`` (``read_text`` enforces it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lorachecks.core.records import record
from lorachecks.loader.document import LoadProblem, Position

CODE = "LC005"


@record(frozen=True, slots=True)
class Limits:
    max_nodes: int = 20_000  # values after alias expansion (biggest real config: ~600; dataset_info.json)
    max_depth: int = 100  # nesting levels
    max_scalar_chars: int = 100_000  # one string value
    max_lines: int = 50_000  # lines plus commas, checked on the raw text


DEFAULT_LIMITS = Limits()


class LimitExceeded(Exception):
    """Raised by a loader that stops building a document; ``position`` is where it stopped."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position or Position(1, 1)


def refused(exc: LimitExceeded) -> LoadProblem:
    return LoadProblem(
        CODE,
        f"file refused: {exc.message}",
        exc.position,
        hint="no training config is this large; lint the config, not data or generated files",
    )


def too_deep(position: Position | None = None) -> LoadProblem:
    """The problem for a parser that ran out of stack (RecursionError) on deep nesting."""
    return refused(LimitExceeded("nesting too deep", position))


def unreadable_value(syntax: str, exc: Exception) -> LoadProblem:
    """A value the parser cannot convert: an integer beyond Python's 4,300-digit limit, a
    date like 2024-02-30."""
    message = str(exc) if len(str(exc)) <= 200 else str(exc)[:200] + "..."
    return LoadProblem("LC001", f"{syntax} value cannot be read: {message}", Position(1, 1))


def parse_bounded(text: str, parse: Callable[[str], Any], syntax: str, syntax_errors: type[Exception]) -> Any:
    """``parse(text)`` within the limits (text size before, tree size after): the data, or
    the :class:`LoadProblem` that stopped it. ``syntax_errors`` propagate, for the loader
    to place them its own way (they are ValueErrors too, in json and tomllib)."""
    try:
        check_text(text)
        data = parse(text)
        check_tree(data)
    except syntax_errors:
        raise
    except ValueError as exc:
        return unreadable_value(syntax, exc)
    except RecursionError:
        return too_deep()
    except LimitExceeded as exc:
        return refused(exc)
    return data


def check_text(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse text whose item count alone is beyond any config (lines plus commas)."""
    items = text.count("\n") + text.count(",")
    if items > limits.max_lines:
        raise LimitExceeded(f"{items:,} lines and list items (the limit is {limits.max_lines:,})")


def check_scalar(value: str, position: Position | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
    if len(value) > limits.max_scalar_chars:
        raise LimitExceeded(
            f"a single value of {len(value):,} characters (the limit is {limits.max_scalar_chars:,})", position
        )


def check_tree(data: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Walk parsed data (no recursion) and refuse it when too big, too deep or too long."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise LimitExceeded(f"more than {limits.max_nodes:,} values")
        if depth > limits.max_depth:
            raise LimitExceeded(f"nesting deeper than {limits.max_depth} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    check_scalar(key, limits=limits)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            check_scalar(value, limits=limits)

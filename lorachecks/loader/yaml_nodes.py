"""The full YAML loader: PyYAML composes a node tree, lorachecks builds the data from it.

PyYAML's marks give each key and value a line and column; building the Python data from
the tree ourselves keeps positions, quoting styles and duplicate keys. Composition is
bounded (node count, depth, alias expansion) so hostile files are refused, not expanded.
Imported only for files the flat reader cannot read (see ``yaml_loader``).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, ScalarEvent
from yaml.resolver import Resolver

from lorachecks.loader.document import Document, KeyPath, LoadProblem, Position
from lorachecks.loader.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    Limits,
    check_scalar,
    refused,
    too_deep,
    unreadable_value,
)
from lorachecks.loader.yaml11 import FLOAT, FLOAT_12, TIMESTAMP

try:  # the C parser is ~10x faster; composition, resolution and construction stay in Python.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - libyaml missing
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)


class _BoundedComposer(Composer):
    """PyYAML's composer, counting nodes as it goes: an alias counts as the nodes it expands to.

    PyYAML composes an alias as a reference to the anchored node, so a "billion laughs" file
    composes in microseconds and explodes only when built. Counting each alias as its anchor's
    expanded size refuses such a file before anything is expanded, and counting plain nodes
    stops a huge flow list after ``max_nodes`` events instead of after the whole file.
    """

    limits: Limits = DEFAULT_LIMITS

    def _start_budget(self) -> None:
        self._total = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(anchored node) -> its expanded node count

    def _charge(self, count: int, mark: Any, why: str = "") -> None:
        self._total += count
        if self._total > self.limits.max_nodes:
            raise LimitExceeded(f"more than {self.limits.max_nodes:,} YAML values{why}", _pos(mark))

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    raise LimitExceeded(
                        f"alias *{event.anchor} refers to a value that contains it", _pos(event.start_mark)
                    )
                self._charge(size, event.start_mark, ' once aliases are expanded (a "billion laughs" alias bomb)')
            return super().compose_node(parent, index)
        if isinstance(event, ScalarEvent):
            check_scalar(event.value, _pos(event.start_mark), self.limits)
        self._depth += 1
        if self._depth > self.limits.max_depth:
            raise LimitExceeded(f"nesting deeper than {self.limits.max_depth} levels", _pos(event.start_mark))
        before = self._total
        self._charge(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._sizes[id(node)] = self._total - before
        return node


class _Loader(_BoundedComposer, _Parser, SafeConstructor, Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        Composer.__init__(self)
        self._start_budget()


class PyYAMLSafeLoader(_Loader):
    """Exactly ``yaml.safe_load``'s resolution rules."""


class OmegaConfLoader(_Loader):
    """``OmegaConf.load``'s resolution rules."""


class _CLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's C composer: ~2x faster, for text too small to hold an alias bomb or a huge flow."""

    limits = DEFAULT_LIMITS


class _FastPyYAMLSafeLoader(_CLoader):
    pass


class _FastOmegaConfLoader(_CLoader):
    pass


for _cls in (OmegaConfLoader, _FastOmegaConfLoader):
    _cls.add_implicit_resolver(FLOAT, FLOAT_12, list("-+0123456789."))
    _cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != TIMESTAMP]
        for first, resolvers in _cls.yaml_implicit_resolvers.items()
    }

LOADERS: dict[str, type[Any]] = {"omegaconf": OmegaConfLoader, "pyyaml": PyYAMLSafeLoader}
FAST_LOADERS: dict[str, type[Any]] = {"omegaconf": _FastOmegaConfLoader, "pyyaml": _FastPyYAMLSafeLoader}
# Every YAML node needs one of these characters (or is the root), so text with few of them and
# no anchor (&) composes to few nodes: the C composer is safe for it.
_NODE_MARKS = ("\n", ",", ":", "-", "[", "{")
FAST_MAX_MARKS = 10_000


def _small_and_alias_free(text: str, limits: Limits) -> bool:
    """No anchor, few nodes and no scalar over the limit: nothing the C composer could choke on."""
    if "&" in text or len(text) > limits.max_scalar_chars:
        return False
    marks = 0
    for mark in _NODE_MARKS:
        marks += text.count(mark)
        if marks > FAST_MAX_MARKS:
            return False
    return True


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed node tree into Python data, recording positions as it goes."""

    def __init__(self, loader: Any, doc: Document) -> None:
        self.loader = loader
        self.doc = doc
        self.nodes = 0

    def build(self, node: yaml.Node, path: KeyPath, depth: int = 0) -> Any:
        self.nodes += 1  # the composer bounded the expanded size; this guards merge keys (<<)
        limits = self.loader.limits
        if self.nodes > limits.max_nodes:
            raise LimitExceeded(f"more than {limits.max_nodes:,} YAML values", _pos(node.start_mark))
        if depth > limits.max_depth:
            raise LimitExceeded(f"nesting deeper than {limits.max_depth} levels", _pos(node.start_mark))
        self.doc.value_positions[path] = _pos(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        self.doc.scalar_styles[path] = getattr(node, "style", None) or None
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                key = str(key)
            key_path = (*path, key if isinstance(key, (str, int)) else str(key))
            if key in out:
                self._duplicate(key_path, key_node)
            self.doc.key_positions[key_path] = _pos(key_node.start_mark)
            out[key] = self.build(value_node, key_path, depth + 1)
        return out

    def _duplicate(self, key_path: KeyPath, key_node: yaml.Node) -> None:
        first = self.doc.key_positions[key_path]
        effect = (
            "the trainer refuses to start (OmegaConf: found duplicate key)"
            if self.doc.dialect == "omegaconf"
            else "the trainer silently keeps the last value"
        )
        self.doc.problems.append(
            LoadProblem(
                "LC002",
                f"duplicate key `{key_path[-1]}` (first defined on line {first.line}): {effect}",
                _pos(key_node.start_mark),
                key_path,
                "keep one definition of the key",
            )
        )


def compose_yaml(doc: Document, text: str, limits: Limits, bounded: bool) -> Document:
    """Fill ``doc`` from ``text`` with the full loader of ``doc.dialect``, never raising for bad input."""
    fast = not bounded or _small_and_alias_free(text, limits)
    loader = (FAST_LOADERS if fast else LOADERS)[doc.dialect](text)
    loader.limits = limits
    try:
        node = loader.get_single_node()
        doc.data = {} if node is None else _Builder(loader, doc).build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _pos(mark) if mark else Position(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        if "maximum nesting depth" in problem:  # libyaml's own bound, hit while scanning ahead
            doc.problems.append(refused(LimitExceeded(f"nesting too deep ({problem})", where)))
        else:
            doc.problems.append(LoadProblem("LC001", f"YAML syntax error: {problem}{context}", where))
        doc.data = None
    except yaml.YAMLError as exc:
        doc.problems.append(LoadProblem("LC001", f"YAML error: {exc}", Position(1, 1)))
        doc.data = None
    except LimitExceeded as exc:
        doc.problems.append(refused(exc))
        doc.data = None
    except (ValueError, OverflowError) as exc:  # a date like 2024-02-30, an int of 5,000 digits
        doc.problems.append(unreadable_value("YAML", exc))
        doc.data = None
    except RecursionError:
        doc.problems.append(too_deep())
        doc.data = None
    finally:
        loader.dispose()
    return doc

"""Position-aware YAML loading with a chosen trainer's semantics.

PyYAML composes a node tree whose marks give each key and value a line and column; we build
the Python data from that tree ourselves so positions, quoting styles and duplicate keys are
all kept. Two dialects exist because the trainers read YAML differently:

- ``omegaconf`` (LLaMA-Factory >= 0.9.4): YAML 1.1 plus a float rule that makes ``1e-4`` a
  float, duplicate keys rejected, timestamps left as strings.
- ``pyyaml`` (``yaml.safe_load``: lora-scripts, LLaMA-Factory <= 0.9.3): ``1e-4`` is a
  string, duplicate keys silently keep the last value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml

from lorachecks.loader.document import Document, KeyPath, LoadProblem, Position
from lorachecks.loader.flat_yaml import load_flat

try:  # the C parser is ~10x faster; resolution and construction stay in Python.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_NODES = 1_000_000  # alias expansion beyond this is an attack, not a config
MAX_DEPTH = 200

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_FLOAT = "tag:yaml.org,2002:float"
# YAML 1.2 style floats: an exponent does not need a dot (what OmegaConf adds).
_FLOAT_12 = re.compile(
    r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _MemoLoader(_BaseLoader):
    """Remembers the tag of each plain scalar: configs repeat the same few values.

    Resolution depends only on the scalar's text and quoting (no path resolvers are
    registered), so a per-class memo gives the same tags as resolving every time.
    """

    _resolved: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers or len(value) > 128:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(self._resolved) < 100_000:
                self._resolved[key] = tag
        return tag


class PyYAMLSafeLoader(_MemoLoader):
    """Exactly ``yaml.safe_load``'s resolution rules."""

    _resolved: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}


class OmegaConfLoader(_MemoLoader):
    """``OmegaConf.load``'s resolution rules."""

    _resolved: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}


OmegaConfLoader.add_implicit_resolver(_FLOAT, _FLOAT_12, list("-+0123456789."))
OmegaConfLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in OmegaConfLoader.yaml_implicit_resolvers.items()
}

LOADERS: dict[str, type[Any]] = {"omegaconf": OmegaConfLoader, "pyyaml": PyYAMLSafeLoader}


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed node tree into Python data, recording positions as it goes."""

    def __init__(self, loader: Any, doc: Document) -> None:
        self.loader = loader
        self.doc = doc
        self.nodes = 0

    def build(self, node: yaml.Node, path: KeyPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(f"more than {MAX_NODES:,} YAML nodes (alias expansion?)", node)
        if depth > MAX_DEPTH:
            raise _TooLarge(f"nesting deeper than {MAX_DEPTH} levels", node)
        self.doc.value_positions[path] = _pos(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        self.doc.scalar_styles[path] = getattr(node, "style", None) or None
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        """A scalar's value: its tag's constructor directly, without the bookkeeping
        ``construct_object`` does for collections and recursive aliases."""
        if isinstance(node, yaml.ScalarNode):
            constructor = self.loader.yaml_constructors.get(node.tag)
            if constructor is not None:
                return constructor(self.loader, node)
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
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


class _TooLarge(Exception):
    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.node = node


def load_yaml(path: Path, text: str, dialect: str = "omegaconf") -> Document:
    """Load YAML text as the named trainer would, never raising for bad input."""
    flat = load_flat(path, text, dialect, LOADERS[dialect])
    if flat is not None:
        return flat
    doc = Document(path=path, text=text, syntax="yaml", dialect=dialect)
    loader = LOADERS[dialect](text)
    try:
        node = loader.get_single_node()
        doc.data = {} if node is None else _Builder(loader, doc).build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _pos(mark) if mark else Position(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        doc.problems.append(LoadProblem("LC001", f"YAML syntax error: {problem}{context}", where))
        doc.data = None
    except yaml.YAMLError as exc:
        doc.problems.append(LoadProblem("LC001", f"YAML error: {exc}", Position(1, 1)))
        doc.data = None
    except _TooLarge as exc:
        doc.problems.append(LoadProblem("LC005", f"file refused: {exc}", _pos(exc.node.start_mark)))
        doc.data = None
    except RecursionError:
        doc.problems.append(LoadProblem("LC005", "file refused: nesting too deep", Position(1, 1)))
        doc.data = None
    finally:
        loader.dispose()
    return doc

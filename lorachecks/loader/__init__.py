"""Read config files into position-aware documents, per trainer loader semantics."""

from __future__ import annotations

import stat
from pathlib import Path

from lorachecks.loader.document import Document, KeyPath, LoadProblem, Position, dotted
from lorachecks.loader.json_loader import load_json
from lorachecks.loader.yaml_loader import load_yaml

SYNTAX_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}

__all__ = [
    "Document",
    "KeyPath",
    "LoadProblem",
    "Position",
    "decode_text",
    "dotted",
    "load_text",
    "read_text",
    "syntax_of",
]


def syntax_of(path: Path) -> str | None:
    return SYNTAX_BY_SUFFIX.get(path.suffix.lower())


def read_text(path: Path, max_bytes: int) -> tuple[str | None, LoadProblem | None]:
    """Read a file as UTF-8 (BOM tolerated), returning a problem instead of raising."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device would block or never end
            return None, LoadProblem("LC004", "not a regular file (a pipe, socket or device)", Position(1, 1))
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, LoadProblem("LC004", f"cannot read file: {exc.strerror or exc}", Position(1, 1))
    return decode_text(raw, max_bytes)


def decode_text(raw: bytes, max_bytes: int) -> tuple[str | None, LoadProblem | None]:
    """``raw`` (a file's or standard input's bytes) as UTF-8 text (BOM tolerated), or the problem."""
    if len(raw) > max_bytes:
        return None, LoadProblem(
            "LC005", f"file refused: larger than {max_bytes:,} bytes (no config is that big)", Position(1, 1)
        )
    if b"\x00" in raw[:8192]:
        return None, LoadProblem("LC004", "binary file (NUL bytes), not a config", Position(1, 1))
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, LoadProblem("LC004", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", Position(line, 1))


def load_text(path: Path, text: str, syntax: str, dialect: str) -> Document:
    """Parse ``text`` with the loader a trainer uses (``dialect``)."""
    if syntax == "json":
        return load_json(path, text, dialect)
    if syntax == "toml":
        import importlib

        toml_loader = importlib.import_module("lorachecks.loader.toml_loader")
        document: Document = toml_loader.load_toml(path, text, dialect)
        return document
    return load_yaml(path, text, dialect)

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
        encoding = _wide_encoding(raw[:8192])
        if encoding is not None:
            return None, LoadProblem(
                "LC004",
                f"{encoding} text, not UTF-8: the trainers read config files as UTF-8",
                Position(1, 1),
                hint="save the file as UTF-8 (editors call UTF-16 'Unicode')",
            )
        return None, LoadProblem("LC004", "binary file (NUL bytes), not a config", Position(1, 1))
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, LoadProblem("LC004", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", Position(line, 1))


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 text (Windows editors' "Unicode"), told by its BOM or, without one, by
    the NUL byte beside every ASCII character; None for anything else with NUL bytes."""
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if head.startswith(bom):
            return name
    even, odd = head[0::2].strip(b"\x00"), head[1::2].strip(b"\x00")
    if len(head) >= 4 and bool(even) != bool(odd):  # one half all NUL, the other not
        return "UTF-16"
    return None


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

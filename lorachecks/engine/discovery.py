"""Which files a lint run looks at, given the paths on the command line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from lorachecks.loader import syntax_of

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        "site-packages",
    }
)
# Project files that hold lorachecks' own settings, never a training config (explicit paths still lint).
SKIP_FILES = frozenset({"pyproject.toml", "lorachecks.toml"})
# JSON beside configs is mostly data (datasets, tokenizer files); configs are small.
MAX_JSON_BYTES_IN_FOLDER = 1024 * 1024


def discover(paths: list[Path]) -> Iterator[tuple[Path, bool]]:
    """Yield (file, explicit) pairs: explicit files are always linted."""
    for path in paths:
        if path.is_dir():
            yield from ((p, False) for p in _walk(path))
        else:
            yield path, True


def _walk(root: Path) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
        try:
            stat = os.stat(folder)
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            dirs.clear()
            continue
        seen.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder, name)
            if syntax_of(path) is None or name in SKIP_FILES:
                continue
            if syntax_of(path) == "json" and _size(path) > MAX_JSON_BYTES_IN_FOLDER:
                continue
            yield path


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

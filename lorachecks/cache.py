"""An optional content-hash cache of lint results (``lint --cache``), like ruff's.

A result is reused only when everything it was computed from is unchanged: the file's
path and bytes, every setting that changes verdicts, and the lorachecks code itself (its
version plus the size and modification time of each of its modules). The key is a hash of
all of them, so a change anywhere is a miss, never a stale hit.

Results of path checks (LC2xx) depend on the filesystem beyond the file (model folders,
``dataset_info.json``, data files), which no content hash captures: with path checks on,
nothing is cached or reused.

Entries live in one SQLite file per cache folder; reads and writes never fail a lint run
(a broken or read-only cache is ignored).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from lorachecks import __version__
from lorachecks.linter import FileResult
from lorachecks.records import fields
from lorachecks.settings import Settings

DB_NAME = "results-v1.sqlite3"
DEFAULT_DIR = Path(".lorachecks_cache")
_NOT_KEYED = frozenset({"jobs", "cache_dir"})  # how a run is executed, not what it finds


@cache
def code_fingerprint() -> str:
    """lorachecks' version and the identity of every module it runs."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def settings_fingerprint(settings: Settings) -> str:
    parts = []
    for name in fields(settings):
        if name not in _NOT_KEYED:
            value: Any = getattr(settings, name)
            parts.append(f"{name}={sorted(value) if isinstance(value, frozenset) else value!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class ResultCache:
    """Lookups and stores for one run; ``None`` connection means caching is off."""

    def __init__(self, settings: Settings) -> None:
        self.code = code_fingerprint()
        self.connection: Any = None
        self.pending: list[tuple[str, bytes]] = []
        self.fingerprints: dict[int, tuple[Settings, str]] = {}
        if settings.cache_dir is not None:
            self.connection = _open(settings.cache_dir)

    @property
    def enabled(self) -> bool:
        return self.connection is not None

    def key(self, path: Path, explicit: bool, settings: Settings) -> str | None:
        """The file's cache key, or None when it cannot be read (then it is not cached)."""
        try:
            with path.open("rb") as handle:
                raw = handle.read(settings.max_file_bytes + 1)
        except OSError:
            return None
        known = self.fingerprints.get(id(settings))
        if known is None or known[0] is not settings:  # per-file settings are shared objects
            known = self.fingerprints[id(settings)] = (settings, settings_fingerprint(settings))
        fingerprint = known[1]
        digest = hashlib.sha256(f"{self.code}\n{fingerprint}\n{path}\n{explicit}\n".encode())
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str) -> FileResult | None:
        try:
            row = self.connection.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            result = pickle.loads(row[0]) if row else None
        except Exception:  # a damaged entry is a miss
            return None
        return result if isinstance(result, FileResult) else None

    def put(self, key: str, result: FileResult) -> None:
        self.pending.append((key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
        if len(self.pending) >= 1000:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        try:
            with self.connection:
                self.connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", self.pending)
        except Exception:  # a read-only or full disk only costs the speed-up
            pass
        self.pending.clear()

    def close(self) -> None:
        if self.connection is not None:
            self.flush()
            self.connection.close()
            self.connection = None


def _open(folder: Path) -> Any:
    import sqlite3

    try:
        folder.mkdir(parents=True, exist_ok=True)
        gitignore = folder / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# created by lorachecks --cache\n*\n", encoding="utf-8")
        connection = sqlite3.connect(folder / DB_NAME, timeout=5)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB)")
        return connection
    except Exception:  # an unusable cache folder: lint without a cache
        return None

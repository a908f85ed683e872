"""An optional content-hash cache of lint results (``lint --cache``), like ruff's.

A result is reused only when everything it was computed from is unchanged: the file's
path and bytes, every setting that changes verdicts, and the lorachecks code itself (its
version plus the size and modification time of each of its modules). The key is a hash of
all of them, so a change anywhere is a miss, never a stale hit.

Results of path checks (LC2xx) depend on the filesystem beyond the file (model folders,
``dataset_info.json``, data files), which no content hash captures: with path checks on,
nothing is cached or reused.

Entries live in one SQLite file per cache folder (``.lorachecks_cache/`` of the working
directory by default, ``--cache-dir`` elsewhere); reads and writes never fail a lint run (a
broken or read-only cache is ignored). An entry is plain JSON data, never code, and carries
an HMAC made with a secret kept outside the project (``$XDG_CACHE_HOME/lorachecks/cache-secret``,
created on first use, readable by its owner only). A cache folder someone else wrote (a pull
request adding ``.lorachecks_cache/``, another user, another machine) therefore fails
verification entry by entry: at worst it costs a re-lint, it can neither run code nor
change a verdict.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from lorachecks import __version__
from lorachecks.core.diagnostics import Diagnostic, Edit, FileResult, Fix, Severity
from lorachecks.core.records import fields
from lorachecks.core.settings import Settings
from lorachecks.loader import Position

DB_NAME = "results-v2.sqlite3"  # v1 held pickles: never read again
DEFAULT_DIR = Path(".lorachecks_cache")
_NOT_KEYED = frozenset({"jobs", "cache_dir"})  # how a run is executed, not what it finds


@cache
def code_fingerprint() -> str:
    """lorachecks' version and the identity of every module it runs."""
    root = Path(__file__).resolve().parent.parent  # the whole package, not only engine/
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
        self.pending: list[tuple[str, bytes, bytes]] = []
        self.fingerprints: dict[int, tuple[Settings, str]] = {}
        self.secret = b""
        if settings.cache_dir is not None:
            secret = machine_secret()
            if secret is not None:  # no secret, no trustworthy entries: lint without a cache
                self.secret = secret
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
        if settings.yamllint is not False and path.suffix.lower() in (".yaml", ".yml"):
            # LC700 reads the project's yamllint configuration: it is part of what a result says.
            from lorachecks.rules.lc700_yamllint import project_config

            found = project_config(path.resolve().parent)
            if found is not None:
                try:
                    digest.update(b"\0yamllint\0" + str(found).encode() + b"\0" + found.read_bytes())
                except OSError:
                    return None
        return digest.hexdigest()

    def get(self, key: str) -> FileResult | None:
        try:
            row = self.connection.execute("SELECT value, mac FROM results WHERE key = ?", (key,)).fetchone()
        except Exception:  # a damaged database is a miss
            return None
        if row is None or not isinstance(row[0], bytes) or not isinstance(row[1], bytes):
            return None
        if not hmac.compare_digest(row[1], _mac(self.secret, key, row[0])):
            return None  # written by someone else, or altered: lint again
        return decode(row[0])

    def put(self, key: str, result: FileResult) -> None:
        try:
            value = encode(result)
        except TypeError:  # a fact that is not plain data: this file is simply linted again
            return
        self.pending.append((key, value, _mac(self.secret, key, value)))
        if len(self.pending) >= 1000:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        try:
            with self.connection:
                self.connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", self.pending)
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
        connection.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB, mac BLOB)")
        return connection
    except Exception:  # an unusable cache folder: lint without a cache
        return None


def secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lorachecks" / "cache-secret"


def machine_secret() -> bytes | None:
    """This user's cache key, created on first use; None when it cannot be kept."""
    path = secret_path()
    try:
        secret = path.read_bytes()
        if len(secret) >= 32:
            return secret
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(os.urandom(32))
        secret = path.read_bytes()
    except OSError:
        return None
    return secret if len(secret) >= 32 else None


def _mac(secret: bytes, key: str, value: bytes) -> bytes:
    return hmac.new(secret, key.encode() + b"\0" + value, hashlib.sha256).digest()


# --- results as plain data ----------------------------------------------------------------
def encode(result: FileResult) -> bytes:
    data = {
        "path": str(result.path),
        "status": result.status,
        "format": result.format,
        "reason": result.reason,
        "secrets": list(result.secrets),
        "facts": {code: _plain(fact) for code, fact in result.facts.items()},
        "diagnostics": [
            [
                d.path,
                d.line,
                d.column,
                d.code,
                d.severity.value,
                d.message,
                d.key,
                d.hint,
                None if d.fix is None else [d.fix.description, [[e.start, e.end, e.replacement] for e in d.fix.edits]],
                d.runs,
            ]
            for d in result.diagnostics
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def decode(value: bytes) -> FileResult | None:
    """The result an entry holds, or None for anything but exactly what ``encode`` writes."""
    try:
        data = json.loads(value)
        diagnostics = [_diagnostic(item) for item in data["diagnostics"]]
        result = FileResult(
            Path(_text(data["path"])),
            _text(data["status"]),
            None if data["format"] is None else _text(data["format"]),
            reason=_text(data["reason"]),
            diagnostics=diagnostics,
            secrets=tuple(_text(s) for s in data["secrets"]),
            facts={_text(code): _unplain(fact) for code, fact in data["facts"].items()},
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return result


def _plain(value: Any) -> Any:
    """A rule's run-wide fact as JSON: tuples and positions tagged, so they come back as such."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Position):
        return {"position": [value.line, value.column]}
    if isinstance(value, tuple):
        return {"tuple": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    raise TypeError(f"not plain data: {type(value).__name__}")


def _unplain(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    if isinstance(value, dict) and set(value) == {"position"}:
        line, column = value["position"]
        return Position(_number(line), _number(column))
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(_unplain(v) for v in value["tuple"])
    raise TypeError("not an encoded fact")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("text expected")
    return value


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("integer expected")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _diagnostic(item: Any) -> Diagnostic:
    path, line, column, code, severity, message, key, hint, fix, runs = item
    if not isinstance(runs, bool):
        raise TypeError("runs: true or false expected")
    return Diagnostic(
        _text(path),
        _number(line),
        _number(column),
        _text(code),
        Severity(_text(severity)),
        _text(message),
        _optional(key),
        _optional(hint),
        None
        if fix is None
        else Fix(_text(fix[0]), tuple(Edit(_number(a), _number(b), _text(c)) for a, b, c in fix[1])),
        runs,
    )

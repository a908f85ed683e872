"""Filesystem answers remembered for one lint run: ``stat`` each path once, not once a rule.

Path rules, dataset counts and memory plans ask the same questions about the same folders
(``data/``, the parents of every ``output_dir``, the model folder) for every config; a run
over 1,000 configs made about 20,000 ``stat`` calls. Lint never writes, so within one run
the answers do not change: :func:`run_scope` (entered by ``lint_paths`` per batch and chunk)
remembers them. Outside a scope (a single ``lint_file``, fixes, tests that change files
between calls) every call asks the OS, so nothing can see a stale answer.

The helpers answer exactly as :class:`pathlib.Path` does, errors included: ``exists`` and
``is_dir`` say False for a missing path, a non-folder parent, a symlink loop or an embedded
NUL byte, and raise any other error (permission denied) as ``Path`` would.
"""

from __future__ import annotations

import _thread
import errno
import os
import stat as stat_module
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast


class _RunState(_thread._local):
    """Per thread, so that runs in several threads neither share nor end each other's memo."""

    # A path's stat result, or the errno of a miss pathlib answers False for (no exception
    # objects are kept: their tracebacks would hold every frame, and the file, alive).
    memo: dict[str, os.stat_result | int] | None = None
    results: dict[Hashable, Any] | None = None  # remember(): per-run answers by key


_state = _RunState()
T = TypeVar("T")
# The errors pathlib's exists()/is_dir()/is_file() answer False for (pathlib._ignore_error).
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_IGNORED_WINERRORS = (21, 123, 1921)  # not ready, invalid name, cannot be resolved


@contextmanager
def run_scope() -> Iterator[None]:
    """Remember ``stat`` answers until the scope ends (one lint run)."""
    state = _state
    previous, previous_results = state.memo, state.results
    state.memo, state.results = {}, {}
    try:
        yield
    finally:
        state.memo, state.results = previous, previous_results


def new_run() -> None:
    """Forget what the previous run remembered and remember from here on, in this thread,
    with no end: for a worker process, which lives for one lint run."""
    _state.memo, _state.results = {}, {}


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, computed once per run for ``key``: for answers that depend only on the
    key and on the filesystem (a model folder's architecture, a dataset's size). Outside a
    run, always computed. The answer is shared: it must not be changed by its users."""
    results = _state.results
    if results is None:
        return compute()
    try:
        return cast(T, results[key])
    except KeyError:
        pass
    answer = results[key] = compute()
    return answer


def _lookup(path: Path) -> os.stat_result | int:
    """``os.stat(path)``, or the errno of a miss pathlib ignores; other errors (permission
    denied, an embedded NUL byte) are raised as ``os.stat`` raises them, and not remembered."""
    memo = _state.memo
    key = os.fspath(path)
    if memo is not None:
        found = memo.get(key)
        if found is not None:
            return found
    answer: os.stat_result | int
    try:
        answer = os.stat(path)
    except OSError as exc:
        if getattr(exc, "errno", None) not in _IGNORED_ERRNOS:
            if getattr(exc, "winerror", None) in _IGNORED_WINERRORS:
                return -1  # Windows-only misses: answered, never remembered
            raise
        answer = exc.errno or -1  # one of _IGNORED_ERRNOS
    if memo is not None:
        memo[key] = answer
    return answer


def stat(path: Path) -> os.stat_result:
    """``path.stat()``: raises what it raises."""
    answer = _lookup(path)
    if isinstance(answer, int):
        if answer < 0:
            return os.stat(path)  # raises the Windows error itself
        raise OSError(answer, os.strerror(answer), os.fspath(path))  # FileNotFoundError, NotADirectoryError, ...
    return answer


def _mode(path: Path) -> int | None:
    try:
        answer = _lookup(path)
    except ValueError:  # an embedded NUL byte: no such file
        return None
    return None if isinstance(answer, int) else answer.st_mode


def exists(path: Path) -> bool:
    """``path.exists()``."""
    return _mode(path) is not None


def is_dir(path: Path) -> bool:
    """``path.is_dir()``."""
    mode = _mode(path)
    return mode is not None and stat_module.S_ISDIR(mode)


def is_file(path: Path) -> bool:
    """``path.is_file()``."""
    mode = _mode(path)
    return mode is not None and stat_module.S_ISREG(mode)

"""Lint many files fast: a process pool when the file count pays for it, and the cache.

Results come back in discovery order, batch by batch, so a run over 100,000 files holds one
batch of results in flight, never every parsed file. Parsed documents never leave the
process that parsed them; only the (small) per-file results travel.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lorachecks import fsmemo
from lorachecks.discovery import discover
from lorachecks.linter import FileResult, RunWide, lint_file_safely
from lorachecks.settings import Settings

if TYPE_CHECKING:
    from lorachecks.cache import ResultCache

# Files per worker before the pool pays. Measured on 2 idle cores (Linux, fork): 500 files
# no gain, 1,000 files 0.57-0.60 s with 2 workers vs 0.66-0.71 s with one; the pool costs
# about 30 % more CPU (pickling results, the parent's share), so on a busy machine it pays
# later. A spawned worker (macOS, Windows) also re-imports lorachecks.
FILES_PER_WORKER = 500 if sys.platform.startswith("linux") else 2000
CHUNK = 32  # files per task sent to a worker
BATCH = 8192  # files discovered, looked up and linted per round


def worker_count(settings: Settings, files: int) -> int:
    if settings.jobs is not None:
        return max(1, settings.jobs)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, files // FILES_PER_WORKER))


def lint_many(
    paths: Iterable[Path], settings: Settings, settings_for: Callable[[Path], Settings] | None = None
) -> Iterator[FileResult]:
    """Like :func:`lorachecks.linter.lint_paths`, using the cache and worker processes.

    Results stream out batch by batch, run-wide findings included (see ``RunWide``):
    memory holds one batch, never every file's result or parsed document."""
    run_wide = RunWide(settings)
    cache = _cache(settings)
    pool = None
    try:
        for batch in _batches(discover(list(paths)), BATCH):
            # Per-file settings first: a broken project configuration stops the run here.
            items = [(path, explicit, settings_for(path) if settings_for else settings) for path, explicit in batch]
            keys: list[str | None] = [None] * len(items)
            found: list[FileResult | None] = [None] * len(items)
            if cache is not None:
                for i, (path, explicit, file_settings) in enumerate(items):
                    if not file_settings.path_checks:  # path results depend on more than the file
                        key = keys[i] = cache.key(path, explicit, file_settings)
                        found[i] = cache.get(key) if key else None
            todo = [item for item, hit in zip(items, found, strict=True) if hit is None]
            jobs = worker_count(settings, len(todo))
            if pool is None and jobs > 1 and len(todo) > CHUNK:
                pool = _pool(jobs)
            fresh = iter(_lint(todo, pool if jobs > 1 else None))
            for key, hit in zip(keys, found, strict=True):
                result = hit if hit is not None else next(fresh)
                if cache is not None and hit is None and key is not None:
                    cache.put(key, result)  # before the run-wide findings: they depend on other files
                yield run_wide.apply(result)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if cache is not None:
            cache.close()


def _cache(settings: Settings) -> ResultCache | None:
    if settings.cache_dir is None:
        return None  # hashlib, pickle and sqlite3 cost a pre-commit hook milliseconds
    from lorachecks.cache import ResultCache

    cache = ResultCache(settings)
    return cache if cache.enabled else None


def _batches(items: Iterable[tuple[Path, bool]], size: int) -> Iterator[list[tuple[Path, bool]]]:
    batch: list[tuple[Path, bool]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pool(jobs: int):  # type: ignore[no-untyped-def]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from lorachecks.formats import FORMATS

    for fmt in FORMATS:  # load once here: forked workers inherit what the parent loaded
        if fmt.field_names is not None:
            fmt.field_names()
    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


Item = tuple[Path, bool, Settings]  # a file, whether it was named explicitly, its settings


def _lint(items: list[Item], pool) -> Iterator[FileResult]:  # type: ignore[no-untyped-def]
    if pool is None or len(items) <= CHUNK:
        yield from _lint_chunk(items)
        return
    # The first file is linted here before the workers fork (on the first map): they inherit
    # the rule modules and tables it loaded instead of each importing them again.
    yield from _lint_chunk(items[:1])
    items = items[1:]
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    for results in pool.map(_lint_in_worker, chunks):
        yield from results


def _lint_chunk(items: list[Item]) -> list[FileResult]:
    with fsmemo.run_scope():  # lint never writes: these files may share what they stat()
        return [lint_file_safely(path, settings, explicit) for path, explicit, settings in items]


_worker_files = 0  # files a worker has linted since its filesystem memo was started


def _lint_in_worker(items: list[Item]) -> list[FileResult]:
    """A chunk in a worker process. The worker's filesystem memo spans its chunks, as the
    parent's spans a batch (a memo per chunk re-read the dataset and model folders every 32
    files), and is started afresh every BATCH files so that it stays small."""
    global _worker_files
    if _worker_files == 0 or _worker_files >= BATCH:
        fsmemo.new_run()
        _worker_files = 0
    _worker_files += len(items)
    return [lint_file_safely(path, settings, explicit) for path, explicit, settings in items]

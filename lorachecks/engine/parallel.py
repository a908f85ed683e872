"""Worker processes for the run loop (``linter.lint_paths``): how many, and chunks of files
mapped over them in order.

This module knows nothing of linting: the loop hands it the function that lints a chunk.
Parsed documents never leave the process that parsed them; only the (small) per-file
results travel back.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

# Files per worker before the pool pays. Measured on 2 idle cores (Linux, fork): 500 files
# no gain, 1,000 files 0.57-0.60 s with 2 workers vs 0.66-0.71 s with one; the pool costs
# about 30 % more CPU (pickling results, the parent's share), so on a busy machine it pays
# later. A spawned worker (macOS, Windows) also re-imports lorachecks.
FILES_PER_WORKER = 500 if sys.platform.startswith("linux") else 2000
CHUNK = 32  # files per task sent to a worker

Item = TypeVar("Item")
Result = TypeVar("Result")


def worker_count(jobs: int | None, files: int) -> int:
    """``jobs`` when given (--jobs), else as many workers as the file count pays for."""
    if jobs is not None:
        return max(1, jobs)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, files // FILES_PER_WORKER))


def start_pool(jobs: int) -> Any:
    """A process pool; on Linux workers fork, inheriting every module the parent loaded."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def map_chunks(
    pool: Any,
    work: Callable[[list[Item]], list[Result]],
    items: list[Item],
    local: Callable[[list[Item]], list[Result]],
) -> Iterator[Result]:
    """Every item's result, in order: ``work`` (a module-level function, sent to the
    workers by name) over chunks of CHUNK items. The first item is handled here by
    ``local`` before the workers fork (on the first map), so that they inherit the modules
    and tables it loaded instead of each importing them again."""
    if not items:
        return
    yield from local(items[:1])
    rest = items[1:]
    chunks = [rest[i : i + CHUNK] for i in range(0, len(rest), CHUNK)]
    for results in pool.map(work, chunks):
        yield from results

"""`lorachecks lint`: the command's work, shared by the typer command and the fast entry.

Kept free of typer, rich and Pydantic imports: a pre-commit hook linting one clean file
should cost little more than starting Python (see lorachecks/entry.py).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad option or path: reported as ``lorachecks: error: ...`` with exit code 2."""


class _Buffered:
    """Collects output in 64 KiB writes: with PYTHONUNBUFFERED every line is a system call."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 65536:
            self.flush()
        return len(text)

    def flush(self) -> None:
        self.out.write("".join(self.parts))
        self.out.flush()
        self.parts.clear()
        self.size = 0


def codes(values: list[str] | None) -> frozenset[str]:
    return frozenset(c.strip().upper() for v in values or [] for c in v.split(",") if c.strip())


def run_lint(
    paths: list[Path],
    output_format: str = "text",
    input_format: str | None = None,
    no_path_checks: bool = False,
    launch_dir: Path | None = None,
    llamafactory_version: str = "latest",
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    strict: bool = False,
    verbose: bool = False,
    jobs: int | None = None,
    cache: bool | None = None,
    cache_dir: Path | None = None,
) -> int:
    """Lint, print the report and return the exit code; raises UsageError for bad input."""
    from lorachecks.formats import FORMATS, LINTABLE
    from lorachecks.parallel import lint_many
    from lorachecks.report import OUTPUT_FORMATS, Run, renderer
    from lorachecks.settings import Settings

    if output_format not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format {output_format!r} (choose from {', '.join(OUTPUT_FORMATS)})")
    if input_format is not None and input_format not in {f.name for f in FORMATS}:
        raise UsageError(f"unknown input format {input_format!r} (choose from {', '.join(LINTABLE)})")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    use_cache = cache if cache is not None else cache_dir is not None
    if use_cache:
        from lorachecks.cache import DEFAULT_DIR

        cache_dir = (cache_dir or DEFAULT_DIR).resolve()
    settings = Settings(
        format=input_format,
        path_checks=not no_path_checks,
        strict=strict,
        select=codes(select),
        ignore=codes(ignore),
        launch_dir=(launch_dir or Path.cwd()).resolve(),
        llamafactory_version=llamafactory_version,
        jobs=jobs,
        cache_dir=cache_dir if use_cache else None,
    )
    color = sys.stdout.isatty()
    out: Any = sys.stdout if color else _Buffered(sys.stdout)
    results = lint_many(paths, settings)
    stream = getattr(importlib.import_module(f"lorachecks.report.{output_format}_format"), "render_stream", None)
    if stream is not None:  # prints as results arrive: memory stays flat on 100,000 files
        counts = stream(results, out, color, verbose)
    else:
        run = Run(files=list(results), color=color, verbose=verbose)
        renderer(output_format)(run, out)
        counts = run.counts()
    out.flush()
    failed = counts["error"] > 0 or (strict and counts["warning"] > 0)
    return EXIT_FINDINGS if failed else EXIT_OK

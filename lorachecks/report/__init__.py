"""Output formats. Each module defines ``render(run, out)`` for one format."""

from __future__ import annotations

import importlib
import os
import stat
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from lorachecks.core.diagnostics import Diagnostic, FileResult, Severity
from lorachecks.core.records import field, record
from lorachecks.loader.secrets import printable

OUTPUT_FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")


@record(slots=True)
class Run:
    """Everything a reporter needs, collected by the CLI."""

    files: list[FileResult] = field(default_factory=list)
    color: bool = False
    verbose: bool = False
    strict: bool = False  # warnings fail the run (reporters that mark pass/fail follow it)
    # Per-file strictness, when project configuration decides it (takes precedence over ``strict``).
    strict_for: Callable[[Path], bool] | None = None
    # The trainer and transformers versions the verdicts are for (lint command; JSON shows
    # them for the run, and for each file whose project settings chose others).
    environment: dict[str, dict[str, str | None]] | None = None
    environment_for: Callable[[Path], dict[str, dict[str, str | None]]] | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]

    def source_line(self, path: str, line: int) -> str | None:
        """Line ``line`` of ``path`` as a reporter may print it: secrets masked, controls escaped.

        Every reporter that shows source text must get it here, so a token written in a
        config never reaches a (public) CI log.
        """
        lines = _source_lines(path)
        if not 0 < line <= len(lines):
            return None
        secrets = next((f.secrets for f in self.files if str(f.path) == path), ())
        return printable(lines[line - 1].rstrip(), secrets)

    def fails(self, file: FileResult, d: Diagnostic) -> bool:
        """Whether ``d`` fails the run: errors always, warnings in strict mode."""
        if d.severity is Severity.ERROR:
            return True
        if d.severity is Severity.WARNING:
            return self.strict_for(file.path) if self.strict_for is not None else self.strict
        return False

    def counts(self) -> Counter[str]:
        return Counter(d.severity.value for d in self.diagnostics)

    def summary(self) -> dict[str, object]:
        counts = self.counts()
        status = Counter(f.status for f in self.files)
        return {
            "files": len(self.files),
            "checked": status["checked"],
            "skipped": status["skipped"],
            "failed": status["failed"],
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
        }


# Enough for any config; a refused 100 MB file is not read whole just to show line 1.
_SOURCE_BYTES = 1024 * 1024


@lru_cache(maxsize=64)
def _source_lines(path: str) -> list[str]:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a pipe or device: it may block
            return []
        with Path(path).open("rb") as handle:
            raw = handle.read(_SOURCE_BYTES)
    except (OSError, ValueError):
        return []
    return raw.decode("utf-8-sig", errors="replace").splitlines()


def renderer(name: str) -> Callable[[Run, TextIO], None]:
    if name not in OUTPUT_FORMATS:
        raise KeyError(name)
    render: Callable[[Run, TextIO], None] = importlib.import_module(f"{__name__}.{name}_format").render
    return render

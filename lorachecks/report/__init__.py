"""Output formats. Each module defines ``render(run, out)`` for one format."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from lorachecks.diagnostics import Diagnostic
from lorachecks.linter import FileResult

OUTPUT_FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")


@dataclass(slots=True)
class Run:
    """Everything a reporter needs, collected by the CLI."""

    files: list[FileResult] = field(default_factory=list)
    color: bool = False
    verbose: bool = False
    strict: bool = False  # warnings fail the run (reporters that mark pass/fail follow it)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]

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


def renderer(name: str) -> Callable[[Run, TextIO], None]:
    if name not in OUTPUT_FORMATS:
        raise KeyError(name)
    render: Callable[[Run, TextIO], None] = importlib.import_module(f"{__name__}.{name}_format").render
    return render

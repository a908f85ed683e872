"""The result types every check produces and every reporter consumes: a Diagnostic per
finding, a FileResult per file."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from lorachecks.core.records import field, record


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@record(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (character offsets into the file as read) by ``replacement``."""

    start: int
    end: int
    replacement: str


@record(frozen=True, slots=True)
class Fix:
    """A safe, mechanical correction a rule offers for its finding (``lorachecks fix``)."""

    description: str
    edits: tuple[Edit, ...]


@record(frozen=True, slots=True)
class Diagnostic:
    """One finding, located in a file (line and column are 1-based)."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    key: str | None = None
    hint: str | None = None
    fix: Fix | None = None
    runs: bool = False  # the trainer still starts (it trains something other than written)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


@record(slots=True)
class FileResult:
    path: Path
    status: str  # "checked", "skipped" or "failed" (could not be read or parsed)
    format: str | None = None
    reason: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Secret values found in the file: reporters mask them in anything they print from it.
    secrets: tuple[str, ...] = ()
    # What rules recorded for the run-wide checks (e.g. the output_dir), by rule code.
    facts: dict[str, Any] = field(default_factory=dict)

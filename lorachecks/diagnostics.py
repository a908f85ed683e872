"""The one result type every check produces and every reporter consumes."""

from __future__ import annotations

from enum import Enum

from lorachecks.records import record


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

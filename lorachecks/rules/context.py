"""What a rule sees (one loaded file) and what it returns (findings)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lorachecks.core.diagnostics import Fix, Severity
from lorachecks.core.records import record
from lorachecks.formats.validation import Validation
from lorachecks.formats.view import ConfigView
from lorachecks.loader import KeyPath, Position


@record(frozen=True, slots=True)
class Finding:
    """A rule's result; the engine adds the file, position, code and severity."""

    message: str
    key: KeyPath | str | None = None
    hint: str | None = None
    at: str = "key"  # anchor on the "key" or on its "value"
    severity: Severity | None = None
    position: Position | None = None  # explicit position (else derived from key)
    fix: Fix | None = None  # a safe text edit that resolves the finding (see lorachecks.rules.edits)
    # The trainer still starts and trains, only not what is written (a dry-run reports it
    # and goes on; lint still calls it an error when the rule's severity says so).
    runs: bool = False


class RuleContext(ConfigView):
    """What a rule sees: one loaded file (formats/view.py), with its load problems and schema
    findings as the rule's own findings."""

    def load_problems(self, code: str) -> list[Finding]:
        return [
            Finding(p.message, p.key, p.hint, position=p.position, severity=p.severity)
            for p in self.doc.problems
            if p.code == code
        ]

    def schema_findings(self, code: str) -> list[Finding]:
        return [
            Finding(f.message, f.key, f.hint, at=_anchor(f.key), severity=f.severity)
            for f in self.validation.findings
            if f.code == code
        ]

    def on_valid_fields(self, findings: Iterable[Finding]) -> Iterator[Finding]:
        """``findings`` less those anchored on a field that failed its own validation: such a
        field stands at its default in the effective values, and its own error (LC104-LC106)
        is what the user sees."""
        invalid = self.validation.field_errors
        for finding in findings:
            if not isinstance(finding.key, str) or finding.key not in invalid:
                yield finding


def _anchor(key: KeyPath | str) -> str:
    """List items (``network_args[1]``) are pointed at on their value, everything else on the key."""
    return "value" if isinstance(key, tuple) and key and isinstance(key[-1], int) else "key"


def launch_note(ctx: ConfigView) -> str:
    """The hint for a path that is not there: where relative paths were resolved from."""
    return f"relative paths resolve from the launch directory {ctx.settings.launch_dir} (set --launch-dir)"


__all__ = ["ConfigView", "Finding", "RuleContext", "Validation", "launch_note"]

"""What a rule sees (one loaded file) and what it returns (findings)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from lorachecks.diagnostics import Fix, Severity
from lorachecks.loader import Document, KeyPath, Position
from lorachecks.records import field, record

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

    from lorachecks.formats.base import Format
    from lorachecks.formats.validation import SchemaFinding
    from lorachecks.secrets import Secret
    from lorachecks.settings import Settings


@record(frozen=True, slots=True)
class Finding:
    """A rule's result; the engine adds the file, position, code and severity."""

    message: str
    key: KeyPath | str | None = None
    hint: str | None = None
    at: str = "key"  # anchor on the "key" or on its "value"
    severity: Severity | None = None
    position: Position | None = None  # explicit position (else derived from key)
    fix: Fix | None = None  # a safe text edit that resolves the finding (see lorachecks.edits)
    # The trainer still starts and trains, only not what is written (a dry-run reports it
    # and goes on; lint still calls it an error when the rule's severity says so).
    runs: bool = False


@record(slots=True)
class Validation:
    """The schema's verdict on one document, computed once and shared by the rules."""

    field_errors: dict[str, list[ErrorDetails]] = field(default_factory=dict)
    findings: list[SchemaFinding] = field(default_factory=list)
    config: BaseModel | None = None


@record
class RuleContext:
    doc: Document
    format: Format | None  # None: the file was not recognised (only loader rules run)
    settings: Settings
    # Facts a rule records for its run-wide check (``check_run``), keyed by rule code.
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.mapping

    @cached_property
    def validation(self) -> Validation:
        """Strict field validation, then the cross-field validators on what passed."""
        assert self.format is not None
        fields = self.format.all_keys
        known = {k: v for k, v in self.data.items() if isinstance(k, str) and k in fields}
        if self.format.fast_validate is not None:
            fast = self.format.fast_validate(known)
            if fast is not None:
                return fast
        from pydantic import ValidationError

        schema = self.format.schema
        result = Validation()
        try:
            schema.model_validate(known, context={"findings": []}, strict=True)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                if error["loc"]:
                    result.field_errors.setdefault(str(error["loc"][0]), []).append(error)
        clean = {k: v for k, v in known.items() if k not in result.field_errors}
        context: dict[str, Any] = {"findings": result.findings, "invalid": set(result.field_errors)}
        try:
            result.config = schema.model_validate(clean, context=context, strict=True)
        except ValidationError:  # pragma: no cover - clean data passes field validation
            result.config = None
        return result

    @cached_property
    def secrets(self) -> list[Secret]:
        """Credentials written in the file (LC60x rules report them; reporters mask them)."""
        from lorachecks.secrets import find_secrets

        return find_secrets(self.doc) if self.doc.ok else []

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


def _anchor(key: KeyPath | str) -> str:
    """List items (``network_args[1]``) are pointed at on their value, everything else on the key."""
    return "value" if isinstance(key, tuple) and key and isinstance(key[-1], int) else "key"


def launch_note(ctx: RuleContext) -> str:
    """The hint for a path that is not there: where relative paths were resolved from."""
    return f"relative paths resolve from the launch directory {ctx.settings.launch_dir} (set --launch-dir)"

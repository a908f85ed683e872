"""How schema cross-field validators report findings without stopping at the first one.

Fields that failed validation are left out before the cross-field pass (so the validators
run at all) and listed in the context's ``invalid`` set; a finding anchored on one of them
is dropped, since the field's default, not the user's value, produced it.

A linter wants every problem in one pass, but a Pydantic ``model_validator`` stops the
model at its first exception. Validators therefore call :func:`report`, which appends to a
collector passed in the validation context; without a collector (plain use of the model
as a library) it raises like an ordinary validator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lorachecks.diagnostics import Severity
from lorachecks.loader.document import KeyPath
from lorachecks.records import field, record

if TYPE_CHECKING:  # the fast lint path (formats/llamafactory/fast.py) runs without Pydantic
    from pydantic import BaseModel, ValidationInfo
    from pydantic_core import ErrorDetails


@record(frozen=True, slots=True)
class SchemaFinding:
    code: str
    key: str | KeyPath  # the field the finding is anchored on (a path for nested keys)
    message: str
    hint: str | None = None
    severity: Severity | None = None  # None: the rule's default


@record(slots=True)
class Validation:
    """The schema's verdict on one document, computed once and shared by the rules."""

    field_errors: dict[str, list[ErrorDetails]] = field(default_factory=dict)
    findings: list[SchemaFinding] = field(default_factory=list)
    config: BaseModel | None = None


def report(
    info: ValidationInfo,
    code: str,
    key: str | KeyPath,
    message: str,
    hint: str | None = None,
    severity: Severity | None = None,
) -> None:
    context = info.context if isinstance(info.context, dict) else {}
    sink = context.get("findings")
    if key in context.get("invalid", ()):
        return  # the field's own error is reported; its default would mislead here
    if sink is None:
        if severity in (Severity.WARNING, Severity.INFO):
            return
        from pydantic_core import PydanticCustomError

        raise PydanticCustomError("lorachecks", "{message}", {"message": message})
    sink.append(SchemaFinding(code, key, message, hint, severity))

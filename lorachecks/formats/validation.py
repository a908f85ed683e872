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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lorachecks.core.diagnostics import Severity
from lorachecks.core.records import field, record
from lorachecks.loader.document import KeyPath

if TYPE_CHECKING:  # the fast lint path (formats/llamafactory/fast.py) runs without Pydantic
    from pydantic import BaseModel, ValidationInfo
    from pydantic.fields import FieldInfo
    from pydantic_core import ErrorDetails

# A numeric bound's name (as Pydantic's constraints and error ctx spell it) -> its error
# type and how a message says it.
BOUNDS: dict[str, tuple[str, str]] = {
    "ge": ("greater_than_equal", "greater than or equal to"),
    "gt": ("greater_than", "greater than"),
    "le": ("less_than_equal", "less than or equal to"),
    "lt": ("less_than", "less than"),
}
BOUND_OF_ERROR = {error_type: bound for bound, (error_type, _) in BOUNDS.items()}


@record(frozen=True, slots=True)
class Allowed:
    """What one field accepts, as data: its fixed choices and numeric bounds, in the order
    the schema declares them. Rules word their messages from these, never from an error's text."""

    choices: tuple[str | int | bool, ...] = ()
    bounds: tuple[tuple[str, int | float], ...] = ()  # ("ge", 1): the limit as declared

    def limit(self, bound: str) -> int | float | None:
        return next((limit for name, limit in self.bounds if name == bound), None)


def _bounds(constraints: Iterable[Any]) -> list[tuple[str, int | float]]:
    """The numeric bounds among Pydantic constraint objects (annotated_types.Ge, a Field's own)."""
    found: list[tuple[str, int | float]] = []
    for item in constraints:
        inner = getattr(item, "metadata", None)  # a FieldInfo: Field(ge=1) inside Annotated
        if isinstance(inner, list):
            found.extend(_bounds(inner))
        for bound in BOUNDS:
            limit = getattr(item, bound, None)
            if isinstance(limit, (int, float)) and not isinstance(limit, bool):
                found.append((bound, limit))
    return found


def allowed_of_annotation(annotation: Any, constraints: Iterable[Any] = ()) -> Allowed:
    """The choices (Literal members; a list's items excepted) and bounds of a Pydantic field
    annotation; ``constraints`` are those Pydantic keeps on the field (``Field(1, ge=1)``)."""
    from typing import Annotated, Literal, Union, get_args, get_origin

    choices: list[str | int | bool] = []
    bounds = _bounds(constraints)

    def walk(kind: Any) -> None:
        origin = get_origin(kind)
        if origin is Literal:
            choices.extend(get_args(kind))
        elif origin is Annotated:
            walk(get_args(kind)[0])
            bounds.extend(_bounds(kind.__metadata__))
        elif origin is Union or type(kind).__name__ == "UnionType":  # Optional[X], X | Y
            for member in get_args(kind):
                walk(member)

    walk(annotation)
    return Allowed(tuple(choices), tuple(bounds))


def allowed_of_field(info: FieldInfo) -> Allowed:
    return allowed_of_annotation(info.annotation, info.metadata)


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
    # What each field with an error accepts (choices, bounds), read from its declaration.
    allowed: dict[str, Allowed] = field(default_factory=dict)
    findings: list[SchemaFinding] = field(default_factory=list)
    # The validated config: the Pydantic model, or the format's view of it (Format.config_view).
    config: BaseModel | Any | None = None


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

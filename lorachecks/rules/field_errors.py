"""Turn Pydantic's per-field errors into the three kinds users care about.

A field whose type is a union gets one error per member; they are grouped by field and
classified once: an out-of-set string is an invalid choice (LC105), a bound violation is
out of range (LC106), anything else a wrong type (LC104).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lorachecks.core.diagnostics import Fix
from lorachecks.core.suggest import closest, show
from lorachecks.formats.validation import BOUND_OF_ERROR, BOUNDS, Allowed
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.edits import replace_plain_value, yaml11_float

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

RANGE_TYPES = frozenset(BOUND_OF_ERROR)
TYPE_NAMES = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "a mapping",
    "list_type": "a list",
    "literal_error": "one of the listed values",
}
# Error types of the numeric types a field accepts: which spelling of a number to suggest.
_FLOAT = frozenset({"float_type"})
_INTEGER = frozenset({"int_type", "int_from_float"})
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$")


def classify(errors: list[ErrorDetails]) -> str:
    kinds = {e["type"] for e in errors}
    if kinds & RANGE_TYPES:
        return "range"
    if (
        "literal_error" in kinds
        and isinstance(errors[0]["input"], (str, int))
        and not isinstance(errors[0]["input"], bool)
    ):
        return "choice"
    return "type"


def shown_choice(choice: str | int | bool) -> str:
    """An allowed value as a config file writes it (YAML and TOML spell booleans in lower case)."""
    if isinstance(choice, bool):
        return "true" if choice else "false"
    return str(choice)


def range_bound(allowed: Allowed, errors: list[ErrorDetails]) -> str:
    """The bound a value broke, worded from the field's declared limit ("greater than 0")."""
    error = next(e for e in errors if e["type"] in RANGE_TYPES)
    bound = BOUND_OF_ERROR[error["type"]]
    limit = allowed.limit(bound)
    if limit is None:  # not declared on the field: the limit Pydantic checked
        limit = (error.get("ctx") or {})[bound]
    return f"{BOUNDS[bound][1]} {limit}"


def errors_of_kind(ctx: RuleContext, kind: str) -> Iterator[tuple[str, Any, list[ErrorDetails]]]:
    for key, errors in ctx.validation.field_errors.items():
        if classify(errors) == kind:
            yield key, ctx.data.get(key), errors


def type_hint(ctx: RuleContext, key: str, value: Any, expected: frozenset[str]) -> str | None:
    """Why a value has the wrong type, when the cause is a YAML reading quirk; ``expected``
    holds the error types of the types the field accepts (``float_type``, ...)."""
    if isinstance(value, str):
        quoted = ctx.doc.scalar_styles.get((key,)) is not None
        numeric = bool(_NUMBER.match(value.strip())) and any(c.isdigit() for c in value)
        if numeric and expected & (_FLOAT | _INTEGER):
            if quoted:
                written = exponent_form(value, expected) if ctx.doc.dialect == "pyyaml" else None
                if written is not None:
                    return f"write {written} without quotes: the trainer passes {show(value)} through as text"
                return f"remove the quotes: the trainer passes {show(value)} through as text"
            written = exponent_form(value, expected)
            if written is not None:
                return f"PyYAML reads {value} as text; write {written}"
        if value.lower() in ("true", "false") and "bool_type" in expected:
            return "remove the quotes"
        return None
    if "string_type" in expected and isinstance(value, (int, float, bool)):
        return f'quote it: "{value}"'
    return None


def exponent_form(value: str, expected: frozenset[str]) -> str | None:
    """How to write an exponent number like ``2e-4`` so that PyYAML reads a number."""
    if expected & _FLOAT:
        return yaml11_float(value)
    if expected & _INTEGER and yaml11_float(value) is not None:
        try:
            number = float(value)
        except ValueError:
            return None
        return str(int(number)) if number.is_integer() and abs(number) < 1e18 else None
    return None


def value_fix(ctx: RuleContext, key: str, value: Any, expected: frozenset[str]) -> Fix | None:
    """The mechanical fix for a wrong type: an exponent number PyYAML reads as text."""
    if not isinstance(value, str) or ctx.doc.scalar_styles.get((key,), "?") is not None:
        return None
    written = exponent_form(value, expected)
    if written is None:
        return None
    return replace_plain_value(ctx.doc, (key,), value, written, f"write `{written}` so PyYAML reads a number")


def finding_for(ctx: RuleContext, key: str, value: Any, errors: list[ErrorDetails]) -> Finding:
    kind = classify(errors)
    allowed = ctx.validation.allowed.get(key, Allowed())
    if kind == "choice":
        options = [shown_choice(c) for c in allowed.choices]
        guess = closest(str(value), options, cutoff=0.6)
        hint: str | None
        if key == "report_to" and isinstance(value, str) and "," in value:
            hint = f"list several loggers as a YAML list: [{value}]"
        else:
            hint = f"did you mean `{guess}`?" if guess else None
        listed = (
            ", ".join(options) if len(options) <= 15 else ", ".join(options[:15]) + f", ... ({len(options)} in all)"
        )
        return Finding(f"`{key}` does not accept {show(value)}; valid values: {listed}", key, hint, at="value")
    if kind == "range":
        return Finding(f"`{key}` must be {range_bound(allowed, errors)} (got {show(value)})", key, None, at="value")
    expected = frozenset(e["type"] for e in errors)
    wanted = " or ".join(dict.fromkeys(TYPE_NAMES.get(e["type"], e["type"].replace("_", " ")) for e in errors))
    return Finding(
        f"`{key}` must be {wanted}, got {type(value).__name__} {show(value)}",
        key,
        type_hint(ctx, key, value, expected),
        at="value",
        fix=value_fix(ctx, key, value, expected),
    )

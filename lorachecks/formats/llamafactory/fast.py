"""The fast lint path: the LLaMA-Factory field validation without Pydantic.

Importing Pydantic and building the 377-field model costs several times a whole lint of
one file, and most configs validate cleanly. ``compiled.py`` (generated from the Pydantic
schema by tools/gen_llamafactory_compiled.py) is data only: every field's accepted types,
default, release and argument group. When every key of a file is accepted exactly, or
refused with an error this module can word as Pydantic does, the result is built here and
Pydantic is never imported. Anything the table cannot decide (an unusual union, an error
inside a list, a stale table) returns None and the caller falls back to Pydantic, so
verdicts and messages are always Pydantic's. Checks between fields are rules
(lorachecks/rules/), which read the :class:`~lorachecks.formats.llamafactory.values.LlamaFactoryValues`
either path builds.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lorachecks.formats.validation import BOUNDS, Allowed

if TYPE_CHECKING:
    from lorachecks.formats.validation import Validation

_HERE = Path(__file__).resolve().parent
_NO = object()  # "not accepted exactly": defer to Pydantic


def source_hash() -> str:
    """Checksum of the sources compiled.py is generated from (schema.py and fields/).

    CRC-32 detects an edit without regeneration; it guards against staleness, not attacks,
    and zlib is cheaper to import than hashlib on the start-up path.
    """
    checksum = 0
    try:
        for path in [_HERE / "schema.py", *sorted((_HERE / "fields").glob("*.py"))]:
            checksum = zlib.crc32(path.name.encode(), checksum)
            checksum = zlib.crc32(path.read_bytes().replace(b"\r\n", b"\n"), checksum)
    except OSError:
        return ""
    return f"crc32:{checksum:08x}"


@cache
def compiled() -> ModuleType | None:
    """The generated module when it matches the current schema sources, else None."""
    try:
        module = importlib.import_module("lorachecks.formats.llamafactory.compiled")
    except ImportError:
        return None
    return module if getattr(module, "SOURCE_HASH", None) == source_hash() else None


@cache
def field_names() -> frozenset[str]:
    module = compiled()
    if module is not None:
        return frozenset(module.FIELDS)
    from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig

    return frozenset(LlamaFactoryConfig.model_fields)


def since_table() -> dict[str, str | None]:
    """Release that introduced each field ("transformers" for trainer arguments)."""
    module = compiled()
    if module is not None:
        return {name: entry[2] for name, entry in module.FIELDS.items()}
    from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig

    return {name: LlamaFactoryConfig.since(name) for name in LlamaFactoryConfig.model_fields}


@cache
def field_defaults() -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """Each field's default as the trainer has it: (plain values, factories of list/dict defaults)."""
    module = compiled()
    if module is not None:
        entries = {name: entry[1] for name, entry in module.FIELDS.items()}
        factories: dict[str, Callable[[], Any]] = {"list": list, "dict": dict}
        return (
            {name: default for name, (kind, default) in entries.items() if kind == "value"},
            {name: factories[default] for name, (kind, default) in entries.items() if kind == "factory"},
        )
    from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig

    values: dict[str, Any] = {}
    made: dict[str, Callable[[], Any]] = {}
    for name, info in LlamaFactoryConfig.model_fields.items():
        if info.default_factory is not None:
            made[name] = info.default_factory  # type: ignore[assignment]
        else:
            values[name] = info.default
    return values, made


@cache
def group_fields(group: str) -> tuple[str, ...]:
    """The fields of one trainer argument dataclass (``MegatronBridgeArgs``, ...), in order."""
    module = compiled()
    if module is not None:
        return tuple(module.GROUPS[group])
    from lorachecks.formats.llamafactory import fields

    return tuple(getattr(fields, group).model_fields)


_SIMPLE = frozenset({"bool", "int", "str"})


def accept(value: Any, spec: tuple[Any, ...], convert: bool = True) -> Any:
    """``value`` as strict Pydantic would store it, or ``_NO`` when not exactly accepted."""
    kind = spec[0]
    if kind == "any":
        return value
    if kind == "none":
        return value if value is None else _NO
    if kind in ("bool", "int", "str"):
        return value if type(value).__name__ == kind else _NO
    if kind == "float":
        if type(value) is float:
            return value
        return float(value) if convert and type(value) is int else _NO
    if kind == "lit":
        return value if type(value) in (str, int, bool) and (type(value).__name__, value) in spec[1] else _NO
    if kind == "union":
        for member in spec[1]:
            out = accept(value, member, convert=False)
            if out is not _NO:
                return out
        if convert:
            for member in spec[1]:
                out = accept(value, member)
                if out is not _NO:
                    return out
        return _NO
    if kind == "list":
        if type(value) is not list:
            return _NO
        items = [accept(item, spec[1], convert) for item in value]
        return _NO if any(item is _NO for item in items) else items
    if kind == "dict":
        if type(value) is not dict:
            return _NO
        out_dict = {}
        for key, item in value.items():
            key_out, item_out = accept(key, spec[1], convert), accept(item, spec[2], convert)
            if key_out is _NO or item_out is _NO:
                return _NO
            out_dict[key_out] = item_out
        return out_dict
    if kind == "con":
        out = accept(value, spec[1], convert)
        if out is _NO or out is None:
            return out
        if type(out) not in (int, float):
            return _NO
        for bound, limit in spec[2]:
            ok = (
                out >= limit
                if bound == "ge"
                else out > limit
                if bound == "gt"
                else out <= limit
                if bound == "le"
                else out < limit
                if bound == "lt"
                else None
            )
            if ok is None:
                raise KeyError(bound)  # as the lookup of an unknown bound did
            if not ok:
                return _NO
        return out
    return _NO  # "unknown": only Pydantic knows


_TYPE_ERRORS = {
    "bool": ("bool_type", "Input should be a valid boolean"),
    "int": ("int_type", "Input should be a valid integer"),
    "float": ("float_type", "Input should be a valid number"),
    "str": ("string_type", "Input should be a valid string"),
    "list": ("list_type", "Input should be a valid list"),
    "dict": ("dict_type", "Input should be a valid dictionary"),
}


def explain(value: Any, spec: tuple[Any, ...]) -> list[dict[str, Any]] | None:
    """Strict Pydantic's errors (type, msg, input, ctx) for a value ``accept`` refused;
    None when the shape is one only Pydantic reports (item errors inside lists and dicts).

    tests/test_performance.py compares this with Pydantic field by field.
    """
    kind = spec[0]
    if kind in _TYPE_ERRORS:
        if kind in ("list", "dict") and type(value).__name__ == kind:
            return None  # the container is right, an item is not
        error_type, message = _TYPE_ERRORS[kind]
        return [{"type": error_type, "msg": message, "input": value}]
    if kind == "lit":
        if any(value == v for _, v in spec[1]):
            return None  # 0 for False, 2.0 for 2: Pydantic's literal lookup may accept these
        names = [repr(v) if t == "str" else str(v) for t, v in spec[1]]
        expected = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        return [
            {
                "type": "literal_error",
                "msg": f"Input should be {expected}",
                "input": value,
                "ctx": {"expected": expected},
            }
        ]
    if kind == "union":
        members = [m for m in spec[1] if m[0] != "none"]  # `X | None` reports X's errors
        if len(members) == 1:
            return explain(value, members[0])
        errors: list[dict[str, Any]] = []
        for member in members:
            found = explain(value, member)
            if found is None:
                return None
            errors.extend(found)
        return errors
    if kind == "con":
        base = accept(value, spec[1])
        if base is _NO:
            return explain(value, spec[1])
        number_kind = _number_kind(spec[1])
        for bound, limit in spec[2]:
            ok = {"ge": base >= limit, "gt": base > limit, "le": base <= limit, "lt": base < limit}[bound]
            if not ok and number_kind is not None:
                error_type, phrase = BOUNDS[bound]
                shown = float(limit) if number_kind == "float" else limit
                return [
                    {
                        "type": error_type,
                        "msg": f"Input should be {phrase} {limit}",
                        "input": value,
                        "ctx": {bound: shown},
                    }
                ]
        return None
    return None


def allowed_of_spec(spec: tuple[Any, ...]) -> Allowed:
    """The choices and bounds of a compiled field spec: the same data
    :func:`~lorachecks.formats.validation.allowed_of_annotation` reads from the Pydantic field."""
    kind = spec[0]
    if kind == "lit":
        return Allowed(choices=tuple(value for _, value in spec[1]))
    if kind == "con":
        inner = allowed_of_spec(spec[1])
        return Allowed(inner.choices, tuple(spec[2]) + inner.bounds)
    if kind == "union":
        members = [allowed_of_spec(member) for member in spec[1]]
        return Allowed(tuple(c for m in members for c in m.choices), tuple(b for m in members for b in m.bounds))
    return Allowed()


def _number_kind(spec: tuple[Any, ...]) -> str | None:
    if spec[0] in ("int", "float"):
        return str(spec[0])
    if spec[0] == "union":
        kinds = [m[0] for m in spec[1] if m[0] != "none"]
        return kinds[0] if len(kinds) == 1 and kinds[0] in ("int", "float") else None
    return None


def validate(known: dict[str, Any]) -> Validation | None:
    """Field validation of a config whose keys are all schema fields.

    Field errors are Pydantic's own, rebuilt by :func:`explain`. None when a value's error
    is one only Pydantic can describe (or the compiled table is stale): the caller then
    validates with Pydantic.
    """
    from lorachecks.formats.llamafactory.values import LlamaFactoryValues
    from lorachecks.formats.validation import Validation

    module = compiled()
    if module is None:
        return None
    values: dict[str, Any] = {}
    field_errors: dict[str, list[Any]] = {}
    allowed: dict[str, Allowed] = {}
    fields = module.FIELDS
    for key, value in known.items():
        spec = fields[key][0]
        kind = spec[0]
        if kind in _SIMPLE:  # accept()'s first cases, without a call for most fields
            out = value if type(value).__name__ == kind else _NO
        else:
            out = accept(value, spec)
        if out is _NO:
            errors = explain(value, fields[key][0])
            if not errors:
                return None
            field_errors[key] = [{"loc": (key,), **error} for error in errors]
            allowed[key] = allowed_of_spec(spec)
        else:
            values[key] = out
    return Validation(field_errors=field_errors, allowed=allowed, config=LlamaFactoryValues(values, values))

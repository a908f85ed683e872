"""The fast lint path: the LLaMA-Factory schema without Pydantic, for clean configs.

Importing Pydantic and building the 377-field model costs several times a whole lint of
one file, and most configs validate cleanly. ``compiled.py`` (generated from the Pydantic
schema by tools/gen_llamafactory_compiled.py) holds every field's accepted types and
default plus the schema's cross-field validators as plain methods. When every key of a
file is accepted exactly, the validators run on a plain object and Pydantic is never
imported. Anything the compiled table cannot decide (a wrong type, an unusual union, a
stale table) returns None and the caller falls back to Pydantic, so verdicts and messages
are always Pydantic's.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lorachecks.formats.validation import SchemaFinding
    from lorachecks.rules.context import Validation

_HERE = Path(__file__).resolve().parent
_NO = object()  # "not accepted exactly": defer to Pydantic


def source_hash() -> str:
    """Hash of the sources compiled.py is generated from (schema.py and fields/)."""
    digest = hashlib.sha256()
    try:
        for path in [_HERE / "schema.py", *sorted((_HERE / "fields").glob("*.py"))]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
    except OSError:
        return ""
    return digest.hexdigest()


@cache
def compiled() -> ModuleType | None:
    """The generated module when it matches the current schema sources, else None."""
    try:
        module = importlib.import_module("lorachecks.formats.llamafactory.compiled")
    except ImportError:
        return None
    return module if getattr(module, "SOURCE_HASH", None) == source_hash() else None


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
            ok = {"ge": out >= limit, "gt": out > limit, "le": out <= limit, "lt": out < limit}[bound]
            if not ok:
                return _NO
        return out
    return _NO  # "unknown": only Pydantic knows


@dataclass(slots=True)
class _Info:
    """What the validators read from Pydantic's ValidationInfo: the findings context."""

    context: dict[str, Any]


def validate(known: dict[str, Any]) -> Validation | None:
    """Field and cross-field validation of a config whose keys are all schema fields.

    None when any value is not accepted exactly (or the compiled table is stale): the
    caller then validates with Pydantic, which explains the error.
    """
    from lorachecks.rules.context import Validation

    module = compiled()
    if module is None:
        return None
    values: dict[str, Any] = {}
    fields = module.FIELDS
    for key, value in known.items():
        out = accept(value, fields[key][0])
        if out is _NO:
            return None
        values[key] = out
    config = module.CompiledConfig(values, set(values))
    findings: list[SchemaFinding] = []
    info = _Info({"findings": findings, "invalid": set()})
    try:
        for validator in module.VALIDATORS:
            validator(config, info)
    except Exception:  # Pydantic turns some of these into errors: let it decide
        return None
    return Validation(field_errors={}, findings=findings, config=config)

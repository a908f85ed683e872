"""JSON Schemas (draft 2020-12) for editors and schema validators, generated from the Pydantic models.

Every format in the registry with a schema gets one file, ``<name>.schema.json``. The schema
says what a single file may contain (keys, types, choices, ranges, defaults); the checks
between options, paths and data stay with ``lorachecks lint``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lorachecks.formats.base import Format

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_formats() -> tuple[Format, ...]:
    from lorachecks.formats import FORMATS

    return tuple(f for f in FORMATS if f.schema_path is not None)


def file_name(fmt: Format) -> str:
    return f"{fmt.name}.schema.json"


SCHEMA_ID = "urn:lorachecks:schema:{name}"
# A longer list of allowed values is not repeated in the editor's message (it lists every
# value): completion and hover show them, and lint names the closest one.
LONG_ENUM = 16


def _since(tag: str) -> str:
    if tag == "transformers":
        return "passed through to transformers"
    if tag == "head":
        return "added after the latest release"
    if tag.startswith("<="):
        return f"available since {tag[2:]} or earlier"
    return f"available since {tag}"


def facts(prop: dict[str, Any], required: bool) -> str:
    """The one-line summary of an option's schema facts: default, release, group."""
    parts = []
    if required:
        parts.append("Required.")
    elif "default" in prop and prop["default"] is not None:
        parts.append(f"Default: {json.dumps(prop['default'], ensure_ascii=False)}.")
    if isinstance(prop.get("since"), str):
        parts.append(_since(prop["since"]).capitalize() + ".")
    if isinstance(prop.get("group"), str):
        parts.append(f"Group: {prop['group']}.")
    return " ".join(parts)


def _describe(fmt: Format, name: str, prop: dict[str, Any], required: bool, own: str | None) -> str:
    from lorachecks.formats.descriptions import description

    text = own or description(fmt.name, name) or f"{fmt.title} option `{name}`."
    summary = facts(prop, required)
    return f"{text} {summary}" if summary else text


def _no_null(prop: dict[str, Any]) -> dict[str, Any]:
    """``prop`` without its null branch: TOML cannot write null, so it only widens messages."""
    branches = prop.get("anyOf")
    if not isinstance(branches, list) or {"type": "null"} not in branches:
        return prop
    rest = [b for b in branches if b != {"type": "null"}]
    out = {k: v for k, v in prop.items() if k != "anyOf"}
    if prop.get("default") is None:
        out.pop("default", None)
    return {**out, **rest[0]} if len(rest) == 1 else {**out, "anyOf": rest}


def _short_enum(name: str, prop: dict[str, Any]) -> dict[str, Any]:
    """``prop`` with a short message for a long list of allowed values (in a branch too)."""
    values = prop.get("enum")
    if isinstance(values, list) and len(values) > LONG_ENUM:
        return {**prop, "errorMessage": f"not a known `{name}` value ({len(values)} choices: see completion)"}
    if isinstance(prop.get("anyOf"), list):
        return {**prop, "anyOf": [_short_enum(name, branch) for branch in prop["anyOf"]]}
    return prop


def json_schema(fmt: Format) -> dict[str, Any]:
    """The draft 2020-12 schema of one format, with a description on every option."""
    model = fmt.schema
    generated = model.model_json_schema(mode="validation")
    required = set(generated.get("required", []))
    toml_only = fmt.syntaxes == ("toml",)
    properties: dict[str, Any] = {}
    for name, prop in generated.get("properties", {}).items():
        field = model.model_fields.get(name)
        prop = {k: v for k, v in prop.items() if k != "title"}  # "Lora Rank": noise in hover
        if toml_only:
            prop = _no_null(prop)
        description = _describe(fmt, name, prop, name in required, field.description if field else None)
        properties[name] = _short_enum(name, {**prop, "description": description})
    for name, renamed in fmt.renamed.items():
        # Old names some supported library versions still accept: allowed, marked deprecated.
        if not renamed.fatal and name not in properties:
            use = f" Use `{renamed.replacement}` instead." if renamed.replacement else ""
            properties[name] = {"description": f"Deprecated: `{name}` was {renamed.note}.{use}", "deprecated": True}
    if fmt.transformers_only:
        from lorachecks.core.settings import Settings
        from lorachecks.formats.llamafactory import environment

        default = Settings()
        target = environment.target(default)
        for name in sorted(fmt.transformers_only - properties.keys()):
            # Keys only older transformers releases accept: allowed where the default target may accept them.
            if environment.accepted(name, default.llamafactory_version, target) is not False:
                last = environment.UNTIL[name]
                properties[name] = {
                    "description": f"Deprecated: a transformers argument accepted up to transformers {last} only.",
                    "deprecated": True,
                }
    doc = (model.__doc__ or "").strip().splitlines()
    head: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": SCHEMA_ID.format(name=fmt.name),
        "title": fmt.title,
        "description": (
            f"{doc[0] if doc else fmt.title} Generated by `lorachecks schema` from the lorachecks model of "
            "this format: keys, types, choices, ranges and defaults. `lorachecks lint` checks more "
            "(options used together, paths, datasets)."
        ),
    }
    layout = getattr(model, "editor_layout", None)
    if layout is not None:  # the format's own shape (kohya sections, dataset levels)
        body: dict[str, Any] = layout(properties)
    else:
        rest = {k: v for k, v in generated.items() if k not in ("title", "description", "properties", "type")}
        # Unknown keys: lint reports every one (a typo trains something else than written).
        body = {"type": "object", "properties": properties, **rest, "additionalProperties": False}
    return {**head, **body}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def export(out_dir: Path, formats: tuple[Format, ...]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_dir / file_name(fmt)
        path.write_text(render(json_schema(fmt)), encoding="utf-8")
        written.append(path)
    return written

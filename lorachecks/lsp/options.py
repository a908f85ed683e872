"""What a format knows about an option, for hover and completion: read from the format's
exported JSON Schema (lorachecks/cli/schema_export.py), so the editor and `lorachecks schema` say
the same thing, and from the description files (lorachecks/formats/descriptions.py)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from lorachecks.formats import by_name
from lorachecks.formats.descriptions import description

Prop = dict[str, Any]
SHOWN_VALUES = 12  # allowed values listed in a hover; completion offers them all


@cache
def _schema(format_name: str) -> dict[str, Any]:
    from lorachecks.cli.schema_export import json_schema

    fmt = by_name(format_name)
    return json_schema(fmt) if fmt is not None and fmt.schema_path else {}


def options(format_name: str, table: str | None = None) -> dict[str, Prop]:
    """The options valid at the top level, or inside TOML table ``table`` (``general``,
    ``datasets.subsets``; any other table name of a kohya config holds the top-level options)."""
    node: Any = _schema(format_name)
    if table is None:
        return dict(node.get("properties", {}))
    for part in table.split("."):
        found = node.get("properties", {}).get(part)
        if found is None:
            extra = node.get("additionalProperties")
            found = extra if isinstance(extra, dict) else {}
        node = found.get("items", found)
    return dict(node.get("properties", {}))


def option(format_name: str, key: str, table: str | None = None) -> Prop | None:
    return options(format_name, table).get(key) or options(format_name).get(key)


def _branches(prop: Prop) -> list[Prop]:
    return [b for b in prop.get("anyOf", [prop]) if isinstance(b, dict)]


def type_name(prop: Prop) -> str:
    names = []
    for branch in _branches(prop):
        kind = branch.get("type")
        if kind == "array":
            item = branch.get("items", {})
            names.append(f"list of {item.get('type', 'values')}")
        elif isinstance(kind, str) and kind != "null":
            names.append({"integer": "integer", "number": "number", "boolean": "true/false"}.get(kind, kind))
    return " or ".join(dict.fromkeys(names)) or "any"


def allowed_values(prop: Prop) -> list[Any]:
    values: list[Any] = []
    for branch in _branches(prop):
        values.extend(branch.get("enum", []))
        values.extend(branch.get("examples", []))
        if branch.get("type") == "boolean":
            values.extend([True, False])
    return list(dict.fromkeys(v for v in values if v is not None))


def _bounds(prop: Prop) -> str:
    parts = []
    for branch in _branches(prop):
        for word, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
            if word in branch:
                parts.append(f"{sign} {branch[word]}")
    return ", ".join(parts)


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def hover_markdown(format_name: str, key: str, prop: Prop) -> str:
    """What the option does, then its facts: type, range, default, allowed values, release."""
    fmt = by_name(format_name)
    title = fmt.title if fmt is not None else format_name
    text = [f"**`{key}`** · {title}", ""]
    if prop.get("deprecated"):
        text += [str(prop.get("description", "Deprecated.")), ""]
        return "\n".join(text).strip()
    words = description(format_name, key)
    if words:
        text += [words, ""]
    facts = [f"Type: {type_name(prop)}"]
    bounds = _bounds(prop)
    if bounds:
        facts.append(f"range: {bounds}")
    if prop.get("default") is not None:
        facts.append(f"default: `{_shown(prop['default'])}`")
    since = prop.get("since")
    if isinstance(since, str):
        from lorachecks.cli.schema_export import facts as schema_facts

        facts.append(schema_facts({"since": since}, False).rstrip(".").lower())
    text.append(" · ".join(facts))
    values = allowed_values(prop)
    if values and not all(isinstance(v, bool) for v in values):
        listed = ", ".join(f"`{v}`" for v in values[:SHOWN_VALUES])
        more = f" … ({len(values)} in all: see completion)" if len(values) > SHOWN_VALUES else ""
        word = "Allowed" if any("enum" in b for b in _branches(prop)) else "Known values"
        text += ["", f"{word}: {listed}{more}"]
    return "\n".join(text)

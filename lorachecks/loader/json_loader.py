"""JSON loading: Python's ``json`` semantics, positions borrowed from a YAML compose.

JSON is (almost) a subset of YAML, so composing it as YAML gives marks for every key. The
values themselves come from ``json.loads`` so numbers, escapes and duplicate handling are
exactly what a Python trainer sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lorachecks.loader.document import Document, LoadProblem, Position
from lorachecks.loader.limits import parse_bounded
from lorachecks.loader.yaml_loader import load_yaml


def load_json(path: Path, text: str, dialect: str = "json") -> Document:
    import json  # most runs read no JSON: keep it off the start-up path

    doc = Document(path=path, text=text, syntax="json", dialect=dialect)
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        data = parse_bounded(text, lambda t: json.loads(t, object_pairs_hook=pairs), "JSON", json.JSONDecodeError)
    except json.JSONDecodeError as exc:
        doc.problems.append(LoadProblem("LC001", f"JSON syntax error: {exc.msg}", Position(exc.lineno, exc.colno)))
        return doc
    if isinstance(data, LoadProblem):
        doc.problems.append(data)
        return doc
    doc.data = data
    shadow = load_yaml(path, text, "omegaconf", bounded=False)
    doc.key_positions = shadow.key_positions
    doc.value_positions = shadow.value_positions
    for key in duplicates:
        where = doc.key_position(key)
        doc.problems.append(
            LoadProblem(
                "LC002",
                f"duplicate key `{key}`: JSON readers silently keep the last value",
                where,
                (key,),
                "keep one definition of the key",
            )
        )
    return doc

"""JSON loading: Python's ``json`` semantics, positions borrowed from a YAML compose.

JSON is (almost) a subset of YAML, so composing it as YAML gives marks for every key. The
values themselves come from ``json.loads`` so numbers, escapes and duplicate handling are
exactly what a Python trainer sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lorachecks.loader.document import Document, LoadProblem, Position
from lorachecks.loader.limits import LimitExceeded, check_text, check_tree, refused, too_deep
from lorachecks.loader.yaml_loader import load_yaml


def load_json(path: Path, text: str, dialect: str = "json") -> Document:
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
        check_text(text)
        data = json.loads(text, object_pairs_hook=pairs)
        check_tree(data)
    except json.JSONDecodeError as exc:
        doc.problems.append(LoadProblem("LC001", f"JSON syntax error: {exc.msg}", Position(exc.lineno, exc.colno)))
        return doc
    except ValueError as exc:  # e.g. an integer literal beyond Python's 4,300-digit conversion limit
        doc.problems.append(LoadProblem("LC001", f"JSON value error: {_short(str(exc))}", Position(1, 1)))
        return doc
    except RecursionError:
        doc.problems.append(too_deep())
        return doc
    except LimitExceeded as exc:
        doc.problems.append(refused(exc))
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


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."

"""Resolution and model-family helpers shared by the kohya and lora-scripts checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_XL = re.compile(r"(?:^|[^a-z0-9])(?:sd_?xl|xl|pony|illustrious|noobai)(?:[^a-z0-9]|$)|sdxl", re.IGNORECASE)


def parse_resolution(value: Any) -> tuple[int, int] | None:
    """sd-scripts' reading of ``resolution`` as (width, height); None where sd-scripts stops.

    The one parser of the project (lint, estimate, dry-run). A string is the training
    config's form: prepare_dataset_args splits it at commas and reads each part with int()
    (spaces and ``_`` allowed, an empty part fails), one part meaning a square. An int or a
    list of exactly two ints is the dataset config's form (its schema takes nothing else).
    Zero and negative sizes are returned as written: the callers say they are not positive.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return (value[0], value[1])
    if isinstance(value, str):
        parts = value.split(",")
        try:
            sizes = [int(p) for p in parts]
        except ValueError:
            return None
        if len(sizes) == 1:
            return (sizes[0], sizes[0])
        if len(sizes) == 2:
            return (sizes[0], sizes[1])
    return None


def named_sdxl(model: Any) -> bool:
    """The base model's name says SDXL (used when the checkpoint itself cannot be read)."""
    return isinstance(model, str) and bool(_XL.search(model.replace("\\", "/").rsplit("/", 1)[-1]))


def training_resolution(config: dict[str, Any], base: Path) -> tuple[tuple[int, int] | None, str]:
    """The largest resolution a kohya run trains at, and where it was read.

    With a `dataset_config`, sd-scripts takes each dataset's `resolution`, else [general]'s,
    else the training config's; the largest dataset sets the peak. Without one, the
    training config's `resolution` (lora-scripts / GUI presets: also `max_resolution`).
    ``config`` is the flattened training config; relative paths resolve from ``base``.
    """
    own = parse_resolution(config.get("resolution", config.get("max_resolution")))
    name = config.get("dataset_config")
    datasets = _dataset_tables(name, base)
    if isinstance(name, str) and datasets is not None:
        from lorachecks.formats.kohya.dataset_schema import effective

        general, tables = datasets
        found: list[tuple[int, int]] = []
        for table in tables:
            raw = effective("resolution", table, general)
            pair = parse_resolution(raw) if raw is not None and not isinstance(raw, str) else own
            if pair is not None:
                found.append(pair)
        if found:
            return max(found, key=lambda p: p[0] * p[1]), f"dataset_config {name}"
    return own, "the training config"


def _dataset_tables(name: Any, base: Path) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """([general], [[datasets]]) of a readable local dataset config, else None."""
    from lorachecks.core.paths import is_placeholder, resolve
    from lorachecks.loader import read_text
    from lorachecks.loader.toml_loader import load_toml

    if not isinstance(name, str) or not name.strip() or is_placeholder(name):
        return None
    path = resolve(name, base)
    if not path.is_file():
        return None
    text, problem = read_text(path, 16 * 2**20)
    if text is None or problem is not None:
        return None
    doc = load_toml(path, text)
    data = doc.mapping if not doc.problems else {}
    general = data.get("general") if isinstance(data.get("general"), dict) else {}
    datasets = data.get("datasets") if isinstance(data.get("datasets"), list) else []
    assert isinstance(general, dict) and isinstance(datasets, list)
    return general, [d for d in datasets if isinstance(d, dict)]

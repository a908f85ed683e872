"""Resolution and model-family helpers shared by the kohya and lora-scripts checks."""

from __future__ import annotations

import re
from typing import Any

_XL = re.compile(r"(?:^|[^a-z0-9])(?:sd_?xl|xl|pony|illustrious|noobai)(?:[^a-z0-9]|$)|sdxl", re.IGNORECASE)


def parse_resolution(value: Any) -> tuple[int, int] | None:
    """sd-scripts' reading of ``resolution``: ``"W"``, ``"W,H"``, an int or ``[W, H]``; None if invalid."""
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

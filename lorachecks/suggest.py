""" "Did you mean ...?" for misspelled keys and values."""

from __future__ import annotations

import re
from collections.abc import Iterable

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise(key: str) -> str:
    """camelCase, kebab-case, spaces and capitals -> the snake_case trainers use."""
    return re.sub(r"[\s\-]+", "_", _CAMEL.sub("_", key.strip())).lower()


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    pool = list(candidates)
    snake = normalise(word)
    if snake != word and snake in pool:
        return snake
    import difflib  # only when a suggestion is needed: it costs every run's start-up

    match = difflib.get_close_matches(snake, pool, n=1, cutoff=cutoff)
    return match[0] if match else None


def show(value: object) -> str:
    """A value as the user wrote it, short."""
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."

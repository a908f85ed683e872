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


def certain_key(word: str, candidates: Iterable[str]) -> str | None:
    """The one key ``word`` certainly meant, for automatic fixes; None when in any doubt.

    Certain means: the snake_case spelling of a camelCase/kebab-case/capitalised key, or the
    only candidate one edit away (a swap, a missing, extra or wrong character) with no other
    candidate within two edits.
    """
    pool = set(candidates)
    snake = normalise(word)
    if snake in pool:
        return snake if snake != word else None
    if len(snake) < 5:
        return None
    near = [(c, d) for c in pool if abs(len(c) - len(snake)) <= 2 and (d := edit_distance(snake, c, 2)) <= 2]
    close = [c for c, d in near if d <= 1]
    return close[0] if len(close) == 1 and len(near) == 1 else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (adjacent swaps count 1), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)

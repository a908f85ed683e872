"""What each option does, in a sentence or two: the text of hover, completion and the JSON
Schemas' descriptions.

The words live in one data file per format (``descriptions.toml`` beside the format's
fields), read on first use: the lint path never loads them.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_HERE = Path(__file__).resolve().parent
FILES: dict[str, Path] = {
    "llamafactory": _HERE / "llamafactory" / "descriptions.toml",
    "kohya": _HERE / "kohya" / "descriptions.toml",
    "kohya-dataset": _HERE / "kohya" / "dataset_descriptions.toml",
}


@cache
def table(format_name: str) -> dict[str, str]:
    """Every description of a format, by key (empty when the format has no file).

    A file's ``[same_as]`` table (``format``, ``keys``) names keys that mean what the option
    of that name means in another format: they take its words, so each text is written once.
    """
    path = FILES.get(format_name)
    if path is None or not path.is_file():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    words = {str(k): v for k, v in data.items() if isinstance(v, str)}
    same_as = data.get("same_as")
    if isinstance(same_as, dict) and same_as.get("format") != format_name:
        theirs = table(str(same_as.get("format")))
        words.update({k: theirs[k] for k in same_as.get("keys", ()) if k in theirs and k not in words})
    return words


def description(format_name: str, key: str) -> str | None:
    """What ``key`` does in a config of ``format_name``, or None when not written yet."""
    return table(format_name).get(key)

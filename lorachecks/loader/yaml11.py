"""What a plain (unquoted) YAML scalar means to a trainer, without importing PyYAML.

Importing PyYAML costs a one-file lint ~15 ms (a fifth of its run), and most configs are
flat ``key: value`` files whose scalars need only YAML 1.1's implicit types. This module
resolves a plain scalar to its tag exactly as PyYAML's ``SafeLoader`` does (candidate types
chosen by the first character, tried in PyYAML's order, the first full match wins) and
builds the value as ``SafeConstructor`` would, for the two dialects of
``lorachecks.loader.yaml_loader``:

- ``pyyaml``: YAML 1.1 (``yes``/``on`` are booleans, ``1e-4`` is a string, ``0o17`` too).
- ``omegaconf``: the same plus YAML 1.2-style floats (``1e-4`` is a float), no timestamps.

Anything this module does not build itself (timestamps, ``<<`` and ``=``, a value Python
cannot construct) gives None: the caller then asks PyYAML. tests/test_yaml11.py compares
both on the corpus and on generated scalars.
"""

from __future__ import annotations

import re
from typing import Any

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
VALUE = "tag:yaml.org,2002:value"

# The YAML 1.1 type definitions (yaml.org/type), as PyYAML's resolver reads them.
_BOOL = re.compile(r"(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\Z")
_FLOAT_11 = re.compile(
    r"""(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)
_INT = re.compile(
    r"""(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\Z""",
    re.X,
)
_MERGE = re.compile(r"<<\Z")
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_TIMESTAMP = re.compile(
    r"""(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\Z""",
    re.X,
)
_VALUE = re.compile(r"=\Z")
# YAML 1.2-style floats, which OmegaConf adds after the YAML 1.1 types: an exponent needs no
# dot (``1e-4``), nor a sign (``1e4``). Shared with the PyYAML loaders in yaml_nodes.
FLOAT_12 = re.compile(
    r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)

_Candidates = dict[str, tuple[tuple[str, re.Pattern[str]], ...]]


def _candidates(with_timestamps: bool, extra_float: bool) -> _Candidates:
    """Candidate types by first character, in the order PyYAML registers them."""
    table: list[tuple[str, re.Pattern[str], str]] = [
        (BOOL, _BOOL, "yYnNtTfFoO"),
        (FLOAT, _FLOAT_11, "-+0123456789."),
        (INT, _INT, "-+0123456789"),
        (MERGE, _MERGE, "<"),
        (NULL, _NULL, "~nN"),
        (TIMESTAMP, _TIMESTAMP, "0123456789"),
        (VALUE, _VALUE, "="),
    ]
    if not with_timestamps:
        table = [row for row in table if row[0] != TIMESTAMP]
    if extra_float:
        table.append((FLOAT, FLOAT_12, "-+0123456789."))
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {"": [(NULL, _NULL)]}
    for tag, pattern, firsts in table:
        for first in firsts:
            out.setdefault(first, []).append((tag, pattern))
    return {first: tuple(rows) for first, rows in out.items()}


_DIALECTS: dict[str, _Candidates] = {
    "pyyaml": _candidates(with_timestamps=True, extra_float=False),
    "omegaconf": _candidates(with_timestamps=False, extra_float=True),
}
_INF = float("inf")
_NAN = -_INF / _INF  # the NaN PyYAML builds (sign bit set)
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def tag_of(dialect: str, text: str) -> str:
    """The tag a plain scalar resolves to."""
    for tag, pattern in _DIALECTS[dialect].get(text[:1], ()):
        if pattern.match(text):
            return tag
    return STR


def resolve_plain(dialect: str, text: str) -> tuple[str, Any] | None:
    """Tag and value of a plain scalar, or None when PyYAML must build it."""
    tag = tag_of(dialect, text)
    try:
        if tag == STR:
            return tag, text
        if tag == NULL:
            return tag, None
        if tag == BOOL:
            return tag, _BOOLS[text.lower()]
        if tag == INT:
            return tag, _int(text)
        if tag == FLOAT:
            return tag, _float(text)
    except (ValueError, OverflowError):
        return None  # e.g. `0b_` or 5,000 digits: PyYAML's own error is reported
    return None


def _sign(text: str) -> tuple[int, str]:
    if text[:1] in "+-":
        return (-1 if text[0] == "-" else 1), text[1:]
    return 1, text


def _sexagesimal(text: str, number: type[int] | type[float]) -> Any:
    """``1:30`` is 90: summed from the last part up, in PyYAML's order (float rounding)."""
    total: Any = number(0)
    base = 1
    for part in reversed(text.split(":")):
        total += number(part) * base
        base *= 60
    return total


def _int(text: str) -> int:
    sign, digits = _sign(text.replace("_", ""))
    if digits == "0":
        return 0
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits.startswith("0"):
        return sign * int(digits, 8)
    if ":" in digits:
        value: int = sign * _sexagesimal(digits, int)
        return value
    return sign * int(digits)


def _float(text: str) -> float:
    sign, digits = _sign(text.replace("_", "").lower())
    if digits == ".inf":
        return sign * _INF
    if digits == ".nan":
        return _NAN
    if ":" in digits:
        value: float = sign * _sexagesimal(digits, float)
        return value
    return sign * float(digits)

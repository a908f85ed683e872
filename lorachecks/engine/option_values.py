"""What a lint option's value means, written once for every place it can be given: the
command line, a project configuration file (``lorachecks.toml`` / ``[tool.lorachecks]``)
and the language server's client options. Each converter takes what the user wrote (command
line text or a Path, a TOML or JSON value) and returns the ``Settings`` value, or raises
OptionError with the problem; the caller says where (``--gpus`` or ``pyproject.toml:
[tool.lorachecks]: `gpus```).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

_CODE = r"^(?:LC\d{0,3}|ALL)$"
_MEMORY = r"(?i)^\s*(\d+(?:\.\d+)?)\s*(?:(g|gb|gib)|(m|mb|mib)|(t|tb|tib))?\s*$"


class OptionError(ValueError):
    """A value an option cannot take; the message is the problem, without where."""


def setting_value(param: str, value: object, base: Path) -> Any:
    """The Settings value of the lint option ``param`` (lorachecks/core/options.py) written as
    ``value``; relative folders resolve from ``base``. Raises OptionError."""
    convert = _CONVERTERS.get(param)
    return value if convert is None else convert(value, base)


def _boolean(value: object, _base: Path) -> bool:
    if not isinstance(value, bool):
        raise OptionError(f"must be true or false, not {value!r}")
    return value


def _folder(value: object, base: Path) -> Path:
    if not isinstance(value, (str, Path)) or not str(value):
        raise OptionError("must be a folder path (text)")
    return (base / Path(value).expanduser()).resolve()


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise OptionError(f"must be text, not {value!r}")
    return value.strip()


def _format_name(value: object, _base: Path) -> str:
    from lorachecks.formats import FORMATS, LINTABLE

    if not isinstance(value, str) or value not in {f.name for f in FORMATS}:
        raise OptionError(f"must be one of {', '.join(LINTABLE)}, not {value!r}")
    return value


def _checked(check: Callable[[str], str | None]) -> Callable[[object, Path], str]:
    def convert(value: object, _base: Path) -> str:
        text = _text(value)
        problem = check(text)
        if problem is not None:
            raise OptionError(problem)
        return text

    return convert


def _llamafactory_version(value: object, base: Path) -> str:
    from lorachecks.formats.llamafactory import environment

    return _checked(environment.check_llamafactory_version)(value, base)


def _transformers_version(value: object, base: Path) -> str:
    from lorachecks.formats.llamafactory import environment

    return _checked(environment.check_transformers_version)(value, base)


def _kohya_script(value: object, base: Path) -> str:
    from lorachecks.formats.kohya.scripts import check_script

    return _checked(check_script)(value, base)


def _count(what: str) -> Callable[[object, Path], int]:
    def convert(value: object, _base: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise OptionError(f"must be a whole number of {what} (1 or more), not {value!r}")
        return value

    return convert


def _gpu_memory(value: object, _base: Path) -> float:
    try:
        return parse_gpu_memory(value)
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def parse_gpu_memory(value: object) -> float:
    """GPU memory per device in GiB: 24, 24.5, "24GB", "24 GiB", "80000MiB" (GB counts as GiB)."""
    if isinstance(value, bool):
        raise ValueError(f'must be a size such as 24 or "24GB", not {value!r}')
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and (match := re.match(_MEMORY, value)):
        number = float(match.group(1))
        if match.group(3):
            number /= 1024
        elif match.group(4):
            number *= 1024
    else:
        raise ValueError(f'must be a size such as 24 or "24GB", not {value!r}')
    if not 0 < number < 1_000_000:
        raise ValueError(f"must be a positive size in GiB, not {value!r}")
    return number


def rule_codes(value: object, _base: Path | None = None) -> frozenset[str]:
    """Rule codes or prefixes: ``"LC1,LC302"``, or a list of them (``--select`` given
    several times); ``ALL`` is every rule. A code that names no rule is an error."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise OptionError('must be a list of rule codes or prefixes, such as ["LC101", "LC2"]')
    codes = [c.strip().upper() for item in items for c in item.split(",") if c.strip()]
    for code in codes:
        check_code(code)
    return frozenset("LC" if c == "ALL" else c for c in codes)  # every code starts with LC


def check_code(code: str) -> None:
    if not re.match(_CODE, code):
        raise OptionError(f"has {code!r}, which is not a rule code or prefix (LC101, LC1, ...)")
    if len(code) == 5:
        from lorachecks.rules import codes_for_alias, rule_by_code

        if rule_by_code(code) is None and not codes_for_alias(code):
            raise OptionError(f"names {code}, which is no rule (`lorachecks rules` lists them)")


_CONVERTERS: dict[str, Callable[[Any, Path], Any]] = {
    "input_format": _format_name,
    "path_checks": _boolean,
    "strict": _boolean,
    "yamllint": _boolean,
    "launch_dir": _folder,
    "python_env": _folder,
    "llamafactory_version": _llamafactory_version,
    "transformers_version": _transformers_version,
    "kohya_script": _kohya_script,
    "gpu_memory": _gpu_memory,
    "gpus": _count("GPUs"),
    "jobs": _count("worker processes"),
    "max_file_bytes": _count("bytes"),
    "select": rule_codes,
    "ignore": rule_codes,
}

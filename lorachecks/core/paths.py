"""How trainers resolve the paths written in configs, and how we tell paths from hub ids."""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from lorachecks.core import fsmemo

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.\-]*/[\w.\-]+")
_PLACEHOLDER = re.compile(
    r"(^|[/\\])path[/\\_-]?to([/\\]|$)|<[^<>]+>|\byour[_-]|YOUR_|^/?x{3,}|^\.\.\.$|^TODO|CHANGE[_-]?ME"
    r"|(?-i:__[A-Z][A-Z0-9_]*__)",  # template tokens such as __MODEL_PATH__ (upper case only)
    re.IGNORECASE,
)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value))


def looks_local(value: str) -> bool:
    """Written as a filesystem path rather than a hub id."""
    return (
        value.startswith(("/", "./", "../", "~", "\\"))
        or bool(re.match(r"^[A-Za-z]:[\\/]", value))
        or value.count("/") > 1
    )


def looks_like_hub_id(value: str) -> bool:
    return not looks_local(value) and bool(_HUB_ID.fullmatch(value))


# Longest file name and path the common filesystems accept (bytes).
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def can_be_path(value: str) -> bool:
    """False for text no filesystem call accepts (NUL bytes, over-long names or paths).

    Such a value is not a file that could exist, and asking the OS about it raises instead
    of answering (``ValueError: embedded null byte``, ``OSError: File name too long``).
    """
    try:
        encoded = value.encode("utf-8", "surrogateescape")
    except UnicodeError:
        return False
    if b"\x00" in encoded or len(encoded) > MAX_PATH_BYTES:
        return False
    return all(len(part) <= MAX_NAME_BYTES for part in re.split(rb"[/\\]", encoded))


_ENV_REFERENCE = re.compile(r"\$\{(?:oc\.env:)?([A-Za-z_][A-Za-z0-9_]*)(?:,([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def expand_env(value: str, environ: Mapping[str, str]) -> str | None:
    """``value`` with ``${VAR}``, ``$VAR`` and ``${oc.env:VAR[,default]}`` replaced from ``environ``.

    Only for trainers that really expand them (a shell-launched script, OmegaConf with
    ``resolve=True``): LLaMA-Factory does not, and LC108 reports them there. None when a
    variable is unset and has no default, or another interpolation (``${other.key}``) is
    left, since the path then cannot be known on this machine.
    """
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1) or match.group(3)
        if name in environ:
            return environ[name]
        if match.group(2) is not None:
            return match.group(2).strip()
        missing = True
        return ""

    expanded = _ENV_REFERENCE.sub(substitute, value)
    return None if missing or "${" in expanded else expanded


@lru_cache(maxsize=4096)
def resolve(value: str, base: Path) -> Path:
    """The path ``value`` names from ``base`` (paths are immutable: the same values, asked by
    several rules in every config, share one)."""
    path = Path(value)
    return path if path.is_absolute() else base / path


@lru_cache(maxsize=256)
def _read_json(path: Path, mtime_ns: int) -> tuple[Any, str | None]:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8-sig")), None
    except OSError as exc:
        return None, exc.strerror or str(exc)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, str(exc)


def read_json(path: Path) -> tuple[Any, str | None]:
    """Parsed JSON and no error, or None and why; cached per file version for the run."""
    try:
        info = fsmemo.stat(path)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    except ValueError as exc:  # an embedded NUL byte: no such file can exist
        return None, str(exc)
    if not stat.S_ISREG(info.st_mode):  # a pipe or device would block the run
        return None, "not a regular file"
    return _read_json(path, info.st_mtime_ns)

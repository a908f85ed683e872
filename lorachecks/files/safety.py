"""Read-only looks at what a run would touch: output folders, model folders.

Every function here only lists and stats; errors (permissions, loops, odd names) answer
"nothing there" instead of raising, since the rules that use them only warn.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from lorachecks.core import fsmemo
from lorachecks.core.records import field, record

# Files whose presence makes LLaMA-Factory refuse a non-empty output_dir (a finished run).
CHECKPOINT_NAMES = frozenset(
    {
        "adapter_model.safetensors",
        "adapter_model.bin",
        "model.safetensors",
        "model.safetensors.index.json",
        "pytorch_model.bin",
        "pytorch_model.bin.index.json",
    }
)
PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth", ".pkl", ".pickle")
_CHECKPOINT_DIR = re.compile(r"^checkpoint-(\d+)$")


def is_dir(path: Path) -> bool:
    try:
        return fsmemo.is_dir(path)
    except (OSError, ValueError):
        return False


def entries(path: Path, limit: int = 10_000) -> list[os.DirEntry[str]]:
    """Up to ``limit`` entries of a folder; [] when it cannot be listed."""
    out: list[os.DirEntry[str]] = []
    try:
        with os.scandir(path) as it:
            for entry in it:
                out.append(entry)
                if len(out) >= limit:
                    break
    except (OSError, ValueError):
        return []
    return out


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


@record(slots=True)
class OutputState:
    """What an existing output folder holds."""

    files: int = 0  # entries of any kind
    last_checkpoint: str | None = None  # highest checkpoint-N folder
    weights: list[str] = field(default_factory=list)  # finished-run files (CHECKPOINT_NAMES)


def output_state(path: Path) -> OutputState | None:
    """None when ``path`` is not an existing folder."""
    if not is_dir(path):
        return None
    state = OutputState()
    best = -1
    for entry in entries(path):
        state.files += 1
        match = _CHECKPOINT_DIR.match(entry.name)
        if match and _entry_is_dir(entry) and int(match.group(1)) > best:
            best, state.last_checkpoint = int(match.group(1)), entry.name
        if entry.name in CHECKPOINT_NAMES:
            state.weights.append(entry.name)
    state.weights.sort()
    return state


def remote_code(model_dir: Path) -> list[str]:
    """The Python a `trust_remote_code` load may run from a local model folder."""
    import json  # a local model folder only: not imported on every start

    names = sorted(e.name for e in entries(model_dir) if e.name.endswith(".py"))
    auto_map: Any = None
    try:
        if not stat.S_ISREG((model_dir / "config.json").stat().st_mode):
            raise ValueError("not a regular file")
        with (model_dir / "config.json").open("rb") as handle:
            raw = handle.read(1024 * 1024)
        auto_map = json.loads(raw.decode("utf-8-sig")).get("auto_map")
    except (OSError, ValueError, AttributeError):
        auto_map = None
    if isinstance(auto_map, dict):
        for value in auto_map.values():
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, str) and ref:
                    names.append(f"auto_map: {ref}")
    return names


def pickle_weights(model_dir: Path) -> list[str]:
    """Pickle weight files in a model folder that has no safetensors alternative."""
    names = [e.name for e in entries(model_dir)]
    if any(n.endswith(".safetensors") for n in names):
        return []
    return sorted(n for n in names if n.endswith(PICKLE_SUFFIXES) and "training_args" not in n)

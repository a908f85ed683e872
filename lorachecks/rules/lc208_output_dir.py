"""`output_dir` cannot be created or written.

The directory itself may not exist yet: the trainer creates it. Reported when it is a
file, or when a part of its path is a file or cannot be written.

Why it matters: the trainer creates `output_dir` only once the model has loaded and the
data are prepared; if it is a file, or its parent is read-only, the run dies there, after
the wait for the GPU and the model's download.

Example, bad:

    output_dir: /readonly/saves/run1

Good:

    output_dir: saves/qwen3-4b/lora/sft

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off for
configs linted away from their models and data; `--launch-dir` (`launch-dir`) is the folder
relative paths resolve from.

Trainer source: transformers `trainer.py` `Trainer.__init__` (`os.makedirs(output_dir)`
when the process saves; checked with transformers 5.6.0), and `Trainer._save` for every
checkpoint.

When the trainer stops: when the trainer is set up, after the model loads and before the
first step.
"""

import os
from collections.abc import Iterator
from pathlib import Path

from lorachecks.core import fsmemo
from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import is_placeholder
from lorachecks.formats.llamafactory.resolve import config_of, local_path
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC208"
NAME = "output-dir"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    config = config_of(ctx)
    if not ctx.settings.path_checks or config is None or not config.output_dir or is_placeholder(config.output_dir):
        return
    path = local_path(ctx, config.output_dir)
    if path is None:
        return  # interpolated: LC108
    if fsmemo.exists(path) and not fsmemo.is_dir(path):
        yield Finding(f"`output_dir` {path} is a file, not a folder", "output_dir", at="value")
        return
    parent = path
    if not fsmemo.exists(path) and path != path.parent:  # configs of a run share the ancestors
        parent = fsmemo.remember((CODE, path.parent), lambda: _first_existing(path.parent))
    if not fsmemo.is_dir(parent):
        yield Finding(f"`output_dir` cannot be created: {parent} is a file", "output_dir", at="value")
    elif not fsmemo.remember((CODE, "access", parent), lambda: os.access(parent, os.W_OK | os.X_OK)):
        yield Finding(
            f"`output_dir` cannot be written: no write permission on {parent}",
            "output_dir",
            "choose a folder you can write to",
            at="value",
        )


def _first_existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor (the root at worst): where mkdir starts."""
    while not fsmemo.exists(path) and path != path.parent:
        path = path.parent
    return path

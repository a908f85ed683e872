r"""A path points into one user's home folder (`/home/alice/...`, `/Users/bob/...`, `C:\Users\...`).

On its own that is a note (info): on the author's machine the run works as written, and
paths that must exist are checked by the path rules (LC201, LC405, ...). It is a warning
when, with path checks on, a folder the run writes (`output_dir`, `logging_dir`, ...) lies
in a home folder that does not exist on this machine.

Why it matters: the config only works on that user's machine. A teammate, a CI runner or
a cluster node has another home folder. Use a path relative to the launch directory, or a
shared location.

Example, bad:

    model_name_or_path: /home/alice/models/Qwen3-4B

Good:

    model_name_or_path: models/Qwen3-4B     # relative to where the trainer is launched

Options: raise the note in the project settings (`severity = { LC603 = "warning" }`) to
keep configs portable; `--no-path-checks` leaves out the check that the home folder exists.

Trainer source: transformers `trainer.py` `Trainer.__init__` creates `output_dir`
(`os.makedirs`); sd-scripts `train_network.py` `NetworkTrainer.train` writes into
`output_dir` in its `save_model`.

When the trainer stops: for a written folder under a home that does not exist, LLaMA-Factory
when transformers' `Trainer` is set up, after the model loads; sd-scripts at the first save,
after training up to it. A path that is read fails as the path rules say.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lorachecks.core.diagnostics import Severity
from lorachecks.files.safety import is_dir
from lorachecks.loader import KeyPath, dotted
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC603"
NAME = "user-home-path"
SEVERITY = Severity.INFO
FORMATS = None

_HOME = re.compile(
    r"^(?:/home/(?!user/|username/|<)[^/\s]+|/Users/(?!Shared/|<)[^/\s]+|[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s]+)"
)


# Folders a run creates and writes (LLaMA-Factory, kohya, lora-scripts): where they cannot be
# created, the run stops.
_WRITTEN = frozenset({"output_dir", "logging_dir", "export_dir", "tokenized_path", "save_dir", "log_dir"})


def _strings(data: Any) -> Iterator[tuple[KeyPath, str]]:
    stack: list[tuple[KeyPath, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            stack.extend(((*path, k if isinstance(k, (str, int)) else str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not isinstance(ctx.doc.data, dict):
        return
    text = ctx.doc.text
    if "home" not in text and "Users" not in text and "\\" not in text:
        return  # no value can start with a home folder: only an escape could spell one
    found = [(path, m.group(0)) for path, value in _strings(ctx.doc.data) if (m := _HOME.match(value))]
    for path, home in found:
        written = bool(path) and path[-1] in _WRITTEN
        if ctx.settings.path_checks and written and not is_dir(Path(home)):
            # transformers' Trainer creates output_dir when it is set up; sd-scripts only in save_model.
            llamafactory = ctx.format is not None and ctx.format.name == "llamafactory"
            when = (
                "after the model loads, when the trainer is set up"
                if llamafactory
                else "at the first save, losing the training done until then"
            )
            yield Finding(
                f"`{dotted(path)}` is in the home folder {home}, which does not exist on this machine: "
                f"the trainer cannot create the folder and stops {when}",
                path,
                "use a path relative to the launch directory, or a location every machine has",
                at="value",
                severity=Severity.WARNING,
            )
            continue
        yield Finding(
            f"`{dotted(path)}` points into the home folder {home}: the config works only on this user's machine",
            path,
            "use a path relative to the launch directory, or a location every machine has",
            at="value",
        )

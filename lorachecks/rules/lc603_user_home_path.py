"""A path points into one user's home folder (`/home/alice/...`, `/Users/bob/...`, `C:\\Users\\...`).

Why it matters: the config only works on that user's machine. A teammate, a CI runner or
a cluster node has another home folder, and the run fails (or, for `output_dir`, writes
somewhere unexpected). Use a path relative to the launch directory, or a shared location.

Example, bad:

    model_name_or_path: /home/alice/models/Qwen3-4B

Good:

    model_name_or_path: models/Qwen3-4B     # relative to where the trainer is launched
"""

import re
from collections.abc import Iterator
from typing import Any

from lorachecks.diagnostics import Severity
from lorachecks.loader import KeyPath, dotted
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC603"
NAME = "user-home-path"
SEVERITY = Severity.WARNING
FORMATS = None

_HOME = re.compile(
    r"^(?:/home/(?!user/|username/|<)[^/\s]+|/Users/(?!Shared/|<)[^/\s]+|[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s]+)"
)


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
        yield Finding(
            f"`{dotted(path)}` points into the home folder {home}: the config works only on this user's machine",
            path,
            "use a path relative to the launch directory, or a location every machine has",
            at="value",
        )

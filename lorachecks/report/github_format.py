"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request."""

from __future__ import annotations

from typing import TextIO

from lorachecks.report import Run
from lorachecks.report.common import full_message, repo_path, rule_name

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=...,title=...``): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(run: Run, out: TextIO) -> None:
    for d in run.diagnostics:
        name = rule_name(d.code)
        props = {
            "file": repo_path(d.path),
            "line": str(max(d.line, 1)),
            "col": str(max(d.column, 1)),
            "title": f"{d.code} {name}" if name else d.code,
        }
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        out.write(f"::{_LEVEL[d.severity.value]} {joined}::{escape_data(full_message(d))}\n")
    s = run.summary()
    out.write(
        f"lorachecks: checked {s['checked']} file(s), skipped {s['skipped']}, unreadable {s['failed']}: "
        f"{s['errors']} error(s), {s['warnings']} warning(s), {s['infos']} note(s)\n"
    )

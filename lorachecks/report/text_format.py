"""Human output: each diagnostic with its location, the offending line, and a hint."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from lorachecks.diagnostics import Diagnostic
from lorachecks.report import Run
from lorachecks.secrets import printable

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _snippet(run: Run, d: Diagnostic) -> str | None:
    text = run.source_line(d.path, d.line)  # secrets masked there
    if text is None or not text.strip() or len(text) > 200:
        return None
    return f"{d.line:>5} | {text}\n      | {' ' * (d.column - 1)}^"


class _Plain:
    """Writes rich-style markup as plain text: importing rich costs a pre-commit hook ~20 ms."""

    _TAG = re.compile(r"(?<!\\)\[/?[a-z ]*\]")

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def print(self, text: str) -> None:
        self.out.write(self._TAG.sub("", text).replace("\\[", "[") + "\n")


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def render(run: Run, out: TextIO) -> None:
    console: Any
    escape: Callable[[str], str]
    if run.color:
        from rich.console import Console
        from rich.markup import escape as rich_escape

        console, escape = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True), rich_escape
    else:
        console, escape = _Plain(out), _escape
    for d in run.diagnostics:
        style = _STYLE[d.severity.value]
        console.print(
            f"[bold]{escape(printable(d.path))}:{d.line}:{d.column}[/]: [{style}]{d.code} {d.severity.value}[/] {escape(d.message)}"
        )
        snippet = _snippet(run, d)
        if snippet:
            console.print(f"[dim]{escape(snippet)}[/]")
        if d.hint:
            console.print(f"      [green]hint:[/] {escape(d.hint)}")
    for f in run.files:
        if f.status == "skipped" or run.verbose:
            what = f.reason or f"checked as {f.format}"
            console.print(f"[dim]{f.status}: {escape(printable(str(f.path)))} ({escape(what)})[/]")
    summary = run.summary()
    formats = Counter(f.format for f in run.files if f.status == "checked")
    kinds = ", ".join(f"{n} {name}" for name, n in sorted(formats.items(), key=lambda kv: str(kv[0])))
    console.print(
        f"Checked {summary['checked']} file(s){f' ({kinds})' if kinds else ''}, "
        f"skipped {summary['skipped']}, unreadable or unparsable {summary['failed']}: "
        f"[{_STYLE['error'] if summary['errors'] else 'green'}]{summary['errors']} error(s)[/], "
        f"{summary['warnings']} warning(s), {summary['infos']} note(s)."
    )
    fixable = sum(d.fix is not None for d in run.diagnostics)
    if fixable:
        console.print(f"{fixable} of them can be fixed safely: `lorachecks fix PATH` (`--diff` to preview).")

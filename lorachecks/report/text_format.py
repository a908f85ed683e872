"""Human output: each diagnostic with its location, the offending line, and a hint."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TextIO

from lorachecks.core.diagnostics import Diagnostic
from lorachecks.loader.secrets import printable
from lorachecks.report import Run, _source_lines

if TYPE_CHECKING:
    from lorachecks.core.diagnostics import FileResult

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _snippet(d: Diagnostic, secrets: tuple[str, ...]) -> str | None:
    lines = _source_lines(d.path)  # the line as Run.source_line gives it: secrets masked
    if not 0 < d.line <= len(lines):
        return None
    text = printable(lines[d.line - 1].rstrip(), secrets)
    if not text.strip() or len(text) > 200:
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
    render_stream(run.files, out, run.color, run.verbose)


def render_stream(files: Iterable[FileResult], out: TextIO, color: bool, verbose: bool) -> Counter[str]:
    """Print each file's diagnostics as its result arrives; returns the severity counts.

    Only the files listed after the diagnostics (skipped ones, or all with --verbose) are
    remembered, so memory stays flat however many files a run checks.
    """
    console: Any
    escape: Callable[[str], str]
    if color:
        from rich.console import Console
        from rich.markup import escape as rich_escape

        console, escape = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True), rich_escape
    else:
        console, escape = _Plain(out), _escape
    severities: Counter[str] = Counter()
    fixable = 0
    statuses: Counter[str] = Counter()
    formats: Counter[str | None] = Counter()
    listed: list[tuple[str, str, str]] = []
    secrets_of: dict[str, tuple[str, ...]] = {}  # the first result for a path, as Run.source_line
    for f in files:
        secrets_of.setdefault(str(f.path), f.secrets)
        for d in f.diagnostics:
            severities[d.severity.value] += 1
            fixable += d.fix is not None
            style = _STYLE[d.severity.value]
            console.print(
                f"[bold]{escape(printable(d.path))}:{d.line}:{d.column}[/]: [{style}]{d.code} {d.severity.value}[/] {escape(d.message)}"
            )
            snippet = _snippet(d, secrets_of.get(d.path, ()))
            if snippet:
                console.print(f"[dim]{escape(snippet)}[/]")
            if d.hint:
                console.print(f"      [green]hint:[/] {escape(d.hint)}")
        statuses[f.status] += 1
        if f.status == "checked":
            formats[f.format] += 1
        if f.status == "skipped" or verbose:
            listed.append((f.status, printable(str(f.path)), f.reason or f"checked as {f.format}"))
    for status, path, what in listed:
        console.print(f"[dim]{status}: {escape(path)} ({escape(what)})[/]")
    kinds = ", ".join(f"{n} {name}" for name, n in sorted(formats.items(), key=lambda kv: str(kv[0])))
    errors = severities["error"]
    console.print(
        f"Checked {statuses['checked']} file(s){f' ({kinds})' if kinds else ''}, "
        f"skipped {statuses['skipped']}, unreadable or unparsable {statuses['failed']}: "
        f"[{_STYLE['error'] if errors else 'green'}]{errors} error(s)[/], "
        f"{severities['warning']} warning(s), {severities['info']} note(s)."
    )
    if fixable:
        console.print(f"{fixable} of them can be fixed safely: `lorachecks fix PATH` (`--diff` to preview).")
    return severities

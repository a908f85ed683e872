"""`lorachecks fix` / `lint --fix`: apply the rules' safe fixes to the source text.

Fixes are owned by the rules: a diagnostic may carry a :class:`~lorachecks.core.diagnostics.Fix`
(exact character spans and their replacements). This module only applies them: it lints
the text it read, applies every non-overlapping fix, lints the new text again (a fix can
reveal another), and repeats a few times. The file is never re-serialised, so comments and
layout survive. Writing is atomic (a temporary file in the same folder, then
``os.replace``), keeps the file's permissions and refuses when the file changed on disk
since it was read.
"""

from __future__ import annotations

import codecs
import difflib
import os
import stat
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from lorachecks.core.diagnostics import Fix
from lorachecks.core.records import field, record
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import FileResult, lint_file, lint_file_safely, lint_paths
from lorachecks.loader.secrets import redact

MAX_PASSES = 10
# Codes that mean the file's structure broke (syntax, duplicate key, not a mapping).
STRUCTURAL = frozenset({"LC001", "LC002", "LC003"})


class FileChanged(Exception):
    """The file on disk is no longer the text the fixes were computed for."""


@record(slots=True)
class FixOutcome:
    path: Path
    result: FileResult  # the diagnostics left after fixing
    applied: list[str] = field(default_factory=list)  # descriptions of the fixes applied
    diff: str = ""
    written: bool = False
    error: str | None = None  # why the file was left as it was


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """Apply the fixes whose edits do not overlap an earlier fix's; return the text and them."""
    taken: list[Fix] = []
    spans: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=0)):
        edits = [(e.start, e.end) for e in fix.edits]
        if not edits or any(s < 0 or e < s or e > len(text) for s, e in edits):
            continue
        if any((s < oe and os_ < e) or s == e == os_ for s, e in edits for os_, oe in spans):
            continue
        taken.append(fix)
        spans.extend(edits)
    for edit in sorted((e for f in taken for e in f.edits), key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text, taken


def _read(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise ValueError(f"larger than {limit:,} bytes")
    return raw


def fix_text(path: Path, settings: Settings, text: str) -> tuple[str, FileResult, list[str]]:
    """``text`` (the content of ``path``) with every safe fix applied, its lint result, and
    the fixes' descriptions. Nothing is written: files, standard input and editor buffers
    share this."""
    applied: list[str] = []
    result = lint_file(path, settings, text=text)
    for _ in range(MAX_PASSES):
        fixes = [d.fix for d in result.diagnostics if d.fix is not None]
        if not fixes:
            break
        new_text, used = apply_fixes(text, fixes)
        new_result = lint_file(path, settings, text=new_text)
        if _breaks(result, new_result):  # together they clash (two keys renamed alike): one at a time
            new_text, used, new_result = _one_by_one(path, settings, text, result, fixes)
        if not used or new_text == text:
            break
        text, result = new_text, new_result
        applied.extend(f.description for f in used)
    return text, result, applied


def unified_diff(path: Path, before: str, after: str) -> str:
    """The change from ``before`` to ``after`` as a unified diff of ``path`` (empty when equal)."""
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=str(path) if path.is_absolute() else f"a/{path.as_posix()}",
            tofile=str(path) if path.is_absolute() else f"b/{path.as_posix()}",
        )
    )
    if diff and not diff.endswith("\n"):
        diff += "\n\\ No newline at end of file\n"
    return diff


def fix_file(path: Path, settings: Settings, write: bool = True) -> FixOutcome:
    """Fix one file; with ``write=False`` only compute the diff."""
    try:
        raw = _read(path, settings.max_file_bytes)
        bom = raw.startswith(codecs.BOM_UTF8)
        original = raw.decode("utf-8-sig")
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return FixOutcome(path, lint_file(path, settings), error=f"not fixed: {exc}")
    text, result, applied = fix_text(path, settings, original)
    outcome = FixOutcome(path, result, applied)
    if text == original:
        return outcome
    outcome.diff = unified_diff(path, original, text)
    if write:
        try:
            write_atomic(path, raw, (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
            outcome.written = True
        except FileChanged:
            outcome.error = "not fixed: the file changed while it was being fixed; run again"
        except OSError as exc:
            outcome.error = f"not fixed: cannot write: {exc.strerror or exc}"
    return outcome


def _structural(result: FileResult) -> int:
    return sum(d.code in STRUCTURAL for d in result.diagnostics) + (result.status != "checked")


def _breaks(before: FileResult, after: FileResult) -> bool:
    """A fix must never make the file unreadable or add a duplicate key."""
    return _structural(after) > _structural(before)


def _one_by_one(
    path: Path, settings: Settings, text: str, result: FileResult, fixes: list[Fix]
) -> tuple[str, list[Fix], FileResult]:
    used: list[Fix] = []
    for fix in fixes:
        candidate, taken = apply_fixes(text, [fix])
        if not taken:
            continue
        trial = lint_file(path, settings, text=candidate)
        if _breaks(result, trial):
            continue
        text, result = candidate, trial
        used.extend(taken)
        break  # offsets of the remaining fixes refer to the old text; the next pass recomputes them
    return text, used, result


def write_atomic(path: Path, expected: bytes, data: bytes) -> None:
    """Replace the file's content with ``data`` if it still holds ``expected``.

    The new content goes to a temporary file beside the target (same filesystem), gets the
    target's permission bits, and replaces the target with ``os.replace``; a symlink is
    followed, so the link stays and its target is updated.
    """
    target = Path(os.path.realpath(path))
    info = target.stat()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".lorachecks.tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown") and os.stat(temporary).st_uid != info.st_uid:
            try:  # keep the owner when allowed to (e.g. root fixing a user's file)
                os.chown(temporary, info.st_uid, info.st_gid)
            except OSError:
                pass
        if target.read_bytes() != expected:
            raise FileChanged(str(path))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fix_paths(
    paths: Iterable[Path], settings: Settings, settings_for: Callable[[Path], Settings] | None, write: bool
) -> Iterator[FixOutcome]:
    """Fix every file under ``paths`` through the run loop (``lint_paths``), so what is left
    to report carries the run-wide findings too, as a plain `lint` run's would."""
    outcomes: deque[FixOutcome] = deque()

    def fix_one(path: Path, file_settings: Settings, explicit: bool) -> FileResult:
        outcomes.append(_fix_one(path, file_settings, explicit, write))
        return outcomes[-1].result

    for _result in lint_paths(paths, settings, settings_for, fix_one):
        yield outcomes.popleft()  # its result now holds the run-wide findings too


def _fix_one(path: Path, settings: Settings, explicit: bool, write: bool) -> FixOutcome:
    first = lint_file_safely(path, settings, explicit)
    if first.status != "checked" or not any(d.fix for d in first.diagnostics):
        return FixOutcome(path, first)
    try:
        return fix_file(path, settings, write)
    except Exception as exc:  # a linter bug leaves this file as it was, and the run goes on
        return FixOutcome(path, first, error=f"not fixed: internal error {type(exc).__name__}: {exc}")


def report_fixes(outcomes: list[FixOutcome], diff: bool, out: TextIO, err: TextIO) -> bool:
    """Print the diffs (``diff``) or a summary of what was fixed; True when anything changed."""
    changed = [o for o in outcomes if o.diff]
    for outcome in outcomes:
        if outcome.error and (outcome.diff or not diff):
            err.write(f"{outcome.path}: {outcome.error}\n")
    if diff:
        for outcome in changed:
            out.write(redact(outcome.diff, outcome.result.secrets))  # a diff shows source lines
        count = sum(len(o.applied) for o in changed)
        err.write(f"Would fix {count} problem(s) in {len(changed)} file(s).\n")
    else:
        written = [o for o in changed if o.written]
        err.write(f"Fixed {sum(len(o.applied) for o in written)} problem(s) in {len(written)} file(s).\n")
    return bool(changed)


def run_fixes(
    paths: Iterable[Path],
    settings: Settings,
    settings_for: Callable[[Path], Settings] | None,
    diff: bool,
    out: TextIO,
    err: TextIO,
) -> tuple[list[FileResult], int | None]:
    """`lint --fix` / `--diff`: the results left to report, or (with ``diff``) an exit code:
    1 when fixes are pending, else 0."""
    outcomes = list(fix_paths(paths, settings, settings_for, write=not diff))
    changed = report_fixes(outcomes, diff, out, err)
    return [o.result for o in outcomes], (int(changed) if diff else None)

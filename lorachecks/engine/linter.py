"""The lint pipeline: read -> load -> detect -> run rules -> diagnostics, per file; and the
run loop (``lint_paths``) that the CLI, ``lint --fix`` and the library API all go through.

Parsing (``loader``), recognising (``formats``), checking (``rules``) and reporting
(``report``) stay apart, so a new input format or output format is one new module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core import fsmemo
from lorachecks.core.diagnostics import Diagnostic, FileResult, Severity
from lorachecks.core.records import replace
from lorachecks.core.settings import Settings
from lorachecks.engine.discovery import discover
from lorachecks.formats import by_name, detect
from lorachecks.formats.base import Format
from lorachecks.loader import Document, LoadProblem, Position, decode_text, dotted, load_text, read_text, syntax_of
from lorachecks.loader.secrets import printable, secret_values
from lorachecks.rules import Rule, rules_for
from lorachecks.rules.context import Finding, RuleContext

if TYPE_CHECKING:
    from lorachecks.engine.cache import ResultCache

BATCH = 8192  # files discovered, looked up in the cache and linted per round
LintOne = Callable[[Path, Settings, bool], FileResult]  # (file, its settings, named explicitly)
Item = tuple[Path, bool, Settings]  # a file, whether it was named explicitly, its settings


def lint_paths(
    paths: Iterable[Path],
    settings: Settings,
    settings_for: Callable[[Path], Settings] | None = None,
    lint_one: LintOne | None = None,
) -> Iterator[FileResult]:
    """Lint every file under ``paths``, in discovery order: the one run loop.

    ``settings_for`` gives per-file settings (the project configuration); ``settings.jobs``
    and ``settings.cache_dir`` choose worker processes and the result cache (docs/performance.md).
    ``lint_one`` replaces how one file is handled (``lint --fix`` fixes it, then returns
    what is left): it runs in this process and nothing it returns is cached.

    Results stream out batch by batch with the run-wide findings added (see ``RunWide``):
    memory holds one batch, never every file's result or parsed document."""
    run_wide = RunWide(settings)
    cache = _cache(settings) if lint_one is None else None
    pool = None
    try:
        for batch in _batches(discover(list(paths)), BATCH):
            # Per-file settings first: a broken project configuration stops the run here.
            items = [(path, explicit, settings_for(path) if settings_for else settings) for path, explicit in batch]
            keys: list[str | None] = [None] * len(items)
            found: list[FileResult | None] = [None] * len(items)
            if cache is not None:
                for i, (path, explicit, file_settings) in enumerate(items):
                    if not file_settings.path_checks:  # path results depend on more than the file
                        key = keys[i] = cache.key(path, explicit, file_settings)
                        found[i] = cache.get(key) if key else None
            todo = [item for item, hit in zip(items, found, strict=True) if hit is None]
            fresh: Iterator[FileResult]
            if lint_one is not None:
                fresh = (lint_one(path, file_settings, explicit) for path, explicit, file_settings in todo)
            else:
                from lorachecks.engine import parallel

                jobs = parallel.worker_count(settings.jobs, len(todo))
                pooled = jobs > 1 and len(todo) > parallel.CHUNK
                if pooled and pool is None:
                    pool = _start_pool(jobs)
                fresh = (
                    parallel.map_chunks(pool, _lint_in_worker, todo, _lint_chunk) if pooled else iter(_lint_chunk(todo))
                )
            for key, hit in zip(keys, found, strict=True):
                result = hit if hit is not None else next(fresh)
                if cache is not None and hit is None and key is not None:
                    cache.put(key, result)  # before the run-wide findings: they depend on other files
                yield run_wide.apply(result)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if cache is not None:
            cache.close()


def _cache(settings: Settings) -> ResultCache | None:
    if settings.cache_dir is None:
        return None  # hashlib, json and sqlite3 cost a pre-commit hook milliseconds
    from lorachecks.engine.cache import ResultCache

    cache = ResultCache(settings)
    return cache if cache.enabled else None


def _batches(items: Iterable[tuple[Path, bool]], size: int) -> Iterator[list[tuple[Path, bool]]]:
    batch: list[tuple[Path, bool]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _start_pool(jobs: int) -> Any:
    from lorachecks.engine import parallel
    from lorachecks.formats import FORMATS

    for fmt in FORMATS:  # load once here: forked workers inherit what the parent loaded
        if fmt.field_names is not None:
            fmt.field_names()
    return parallel.start_pool(jobs)


def _lint_chunk(items: list[Item]) -> list[FileResult]:
    with fsmemo.run_scope():  # lint never writes: these files may share what they stat()
        return [lint_file_safely(path, settings, explicit) for path, explicit, settings in items]


_worker_files = 0  # files a worker has linted since its filesystem memo was started


def _lint_in_worker(items: list[Item]) -> list[FileResult]:
    """A chunk in a worker process. The worker's filesystem memo spans its chunks, as the
    parent's spans a batch (a memo per chunk re-read the dataset and model folders every 32
    files), and is started afresh every BATCH files so that it stays small."""
    global _worker_files
    if _worker_files == 0 or _worker_files >= BATCH:
        fsmemo.new_run()
        _worker_files = 0
    _worker_files += len(items)
    return [lint_file_safely(path, settings, explicit) for path, explicit, settings in items]


def lint_file_safely(
    path: Path, settings: Settings, explicit: bool = True, content: str | bytes | None = None
) -> FileResult:
    """One file's result; a crash in the linter itself fails that file, not the run."""
    try:
        return lint_file(path, settings, explicit, content)
    except Exception as exc:
        message = f"internal error while linting this file: {type(exc).__name__}: {exc}"
        return FileResult(
            path,
            "failed",
            diagnostics=[Diagnostic(str(path), 1, 1, "LC000", Severity.ERROR, printable(message), hint=_REPORT_HINT)],
        )


class RunWide:
    """The run-wide rules (a rule's ``check_run``), applied to each file's result in
    discovery order. A rule sees what the files before it recorded, never what comes after,
    so results are reported as they arrive: a run keeps only each rule's small memory (for
    LC607, the first config of each output folder), not every file's result."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.memory: dict[str, dict[Any, Any]] = {}  # per rule code, kept for the whole run
        self.rules: dict[str | None, dict[str, Rule]] = {}  # per format: rules by code
        self.broken: set[str] = set()  # rules that crashed: reported once, then left out

    def apply(self, result: FileResult) -> FileResult:
        """``result`` with the run-wide findings about it added."""
        if not result.facts:
            return result
        added = False
        rules = self.rules.get(result.format)
        if rules is None:  # only rules that ran can have recorded facts: rules_for loaded them
            rules = self.rules[result.format] = {rule.code: rule for rule in rules_for(result.format)}
        for code in sorted(result.facts):
            rule = rules.get(code)
            if rule is None or rule.check_run is None or code in self.broken:
                continue
            try:
                findings = list(rule.check_run(result.facts[code], self.memory.setdefault(code, {})))
            except Exception as exc:
                self.broken.add(code)
                message = f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}"
                result.diagnostics.append(
                    Diagnostic(str(result.path), 1, 1, "LC000", Severity.ERROR, printable(message), hint=_REPORT_HINT)
                )
                added = True
                continue
            for finding in findings:
                where = finding.position or Position(1, 1)
                diagnostic = Diagnostic(
                    path=str(result.path),
                    line=where.line,
                    column=where.column,
                    code=rule.code,
                    severity=self.settings.severity_for(rule.code, finding.severity or rule.severity, rule.aliases),
                    message=printable(finding.message, result.secrets),
                    key=dotted(finding.key) if isinstance(finding.key, tuple) else finding.key,
                    hint=printable(finding.hint, result.secrets) if finding.hint else None,
                )
                if not _suppressed(result.path, diagnostic):
                    result.diagnostics.append(diagnostic)
                    added = True
        if added:  # the file's own diagnostics are sorted already
            result.diagnostics.sort(key=Diagnostic.sort_key)
        return result


def _suppressed(path: Path, diagnostic: Diagnostic) -> bool:
    """Whether a suppression comment covers a run-wide finding (the file is read again:
    per-file texts are not kept, and run-wide findings are rare)."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False
    if "lorachecks" not in text:
        return False  # only a comment naming lorachecks can suppress
    from lorachecks.rules import suppress

    return not suppress.apply(text, syntax_of(path) or "yaml", [diagnostic])


def lint_file(path: Path, settings: Settings, explicit: bool = True, text: str | bytes | None = None) -> FileResult:
    """Lint one file; ``text`` is its content when the caller has it already: the text of a
    fix or an editor buffer, or the bytes of standard input (decoded as a file's are)."""
    forced = by_name(settings.format) if settings.format else None
    syntax = syntax_of(path) or (forced.syntaxes[0] if forced else None)
    if syntax is None:
        return FileResult(path, "skipped", reason="not a YAML, JSON or TOML file")
    if text is None and path.is_dir():
        return FileResult(path, "skipped", reason="a directory named like a config")
    doc, fmt = read_config(path, syntax, settings, text)
    if not doc.ok and not explicit and syntax == "json" and any(p.code == "LC005" for p in doc.problems):
        return FileResult(path, "skipped", reason="JSON too large for a config (data?)")
    if not doc.ok:
        return _result(path, "failed", fmt, doc, settings)
    if fmt is None:
        return FileResult(path, "skipped", reason=_unrecognised(doc.data))
    if not fmt.lintable:
        return FileResult(path, "skipped", fmt.name, reason=f"recognised as {fmt.title}")
    return _result(path, "checked", fmt, doc, settings)


def _result(path: Path, status: str, fmt: Format | None, doc: Document, settings: Settings) -> FileResult:
    ctx = RuleContext(doc, fmt, settings)
    secrets = secret_values(ctx.secrets)  # masked in everything printed, whichever rules run
    diagnostics = [_printable(d, secrets) for d in _run(ctx)]
    return FileResult(
        path, status, fmt.name if fmt else None, diagnostics=diagnostics, secrets=secrets, facts=ctx.facts
    )


def _printable(d: Diagnostic, secrets: tuple[str, ...]) -> Diagnostic:
    """``d`` with secrets masked and control characters escaped (itself when nothing changes)."""
    message = printable(d.message, secrets)
    hint = printable(d.hint, secrets) if d.hint else None
    key = printable(d.key, secrets) if d.key else None
    if message == d.message and hint == d.hint and key == d.key:
        return d
    return replace(d, message=message, hint=hint, key=key)


def read_config(
    path: Path, syntax: str, settings: Settings, text: str | bytes | None = None
) -> tuple[Document, Format | None]:
    """Load ``path`` the way its trainer reads it: the dialect of its forced or detected format."""
    forced = by_name(settings.format) if settings.format else None
    doc = _load(path, syntax, forced, settings, text)
    fmt = forced or (detect(doc) if doc.ok else None)
    if fmt is not None and doc.ok and fmt.dialect(syntax, settings) != doc.dialect:
        doc = _load(path, syntax, fmt, settings, text)
    return doc, fmt


def _unrecognised(data: object) -> str:
    if data in ({}, None, ""):
        return "empty file"
    if not isinstance(data, dict):
        return f"top level is a {type(data).__name__}, not a mapping of options"
    return "not recognised as a training config"


def _load(
    path: Path, syntax: str, fmt: Format | None, settings: Settings, given: str | bytes | None = None
) -> Document:
    dialect = fmt.dialect(syntax, settings) if fmt else {"yaml": "omegaconf"}.get(syntax, syntax)
    if given is None:
        text, problem = read_text(path, settings.max_file_bytes)
    elif isinstance(given, bytes):
        text, problem = decode_text(given, settings.max_file_bytes)
    else:
        text, problem = given, None
    if problem is not None:
        return Document(path=path, text="", syntax=syntax, dialect=dialect, problems=[problem])
    assert text is not None
    return load_text(path, text, syntax, dialect)


def _run(ctx: RuleContext) -> list[Diagnostic]:
    doc, fmt, settings = ctx.doc, ctx.format, ctx.settings
    out: list[Diagnostic] = []
    name = fmt.name if fmt is not None else None
    mapping = isinstance(doc.data, dict) and bool(doc.data)
    for rule in rules_for(name):
        formats = rule.formats
        if formats is not None and (name is None or name not in formats or not mapping):
            continue  # format rules need a mapping of options; LC001-LC005 explain why not
        if not settings.enabled(rule.code, rule.aliases):
            continue
        try:
            for finding in rule.check(ctx):
                out.append(_diagnostic(doc, rule, finding, settings))
        except Exception as exc:  # one broken rule must not hide the others
            out.append(_internal_error(doc, rule, exc))
    if out and "lorachecks" in doc.text:  # only a comment naming lorachecks can suppress
        from lorachecks.rules import suppress

        out = suppress.apply(doc.text, doc.syntax, out)
    return sorted(out, key=Diagnostic.sort_key)


def _diagnostic(doc: Document, rule: Rule, finding: Finding, settings: Settings) -> Diagnostic:
    key = (finding.key,) if isinstance(finding.key, str) else finding.key
    if finding.position is not None:
        where = finding.position
    elif key is None:
        where = Position(1, 1)
    else:
        where = doc.value_position(key) if finding.at == "value" else doc.key_position(key)
    return Diagnostic(
        path=str(doc.path),
        line=where.line,
        column=where.column,
        code=rule.code,
        severity=settings.severity_for(rule.code, finding.severity or rule.severity, rule.aliases),
        message=finding.message,
        key=dotted(key) if key else None,
        hint=finding.hint,
        fix=finding.fix,
        runs=finding.runs,
    )


def _internal_error(doc: Document, rule: Rule, exc: Exception) -> Diagnostic:
    return Diagnostic(
        path=str(doc.path),
        line=1,
        column=1,
        code="LC000",
        severity=Severity.ERROR,
        message=f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}",
        hint="please report this with the file attached; the other rules still ran",
    )


_REPORT_HINT = "please report this with the file attached (mask any secrets in it first)"


__all__ = ["FileResult", "LoadProblem", "lint_file", "lint_file_safely", "lint_paths"]

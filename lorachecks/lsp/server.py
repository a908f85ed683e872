"""The pygls wiring of `lorachecks server`: protocol messages in, session calls, protocol out.

Diagnostics follow the buffer, not the saved file: on open and save at once, on change after
a short pause (typing does not queue a lint per key). Every handler answers something even
on a broken or hostile buffer: the linter turns its own crashes into LC000 diagnostics.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lorachecks import __version__
from lorachecks.core.diagnostics import Diagnostic, Severity
from lorachecks.lsp import options, session, text

DEBOUNCE_S = 0.03  # a pause in typing this long lints the buffer
SOURCE = "lorachecks"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_SUFFIX = {"yaml": ".yaml", "toml": ".toml", "json": ".json"}
_DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"  # in a checkout


class LorachecksServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("lorachecks", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.session = session.Session()
        self.linted: dict[str, session.Linted] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.docs_url: str | None = _DOCS.as_uri() if _DOCS.is_file() else None

    def path_of(self, uri: str, language: str | None = None) -> Path:
        """The file a buffer stands for; an unsaved one lives in the first workspace folder."""
        parsed = urlparse(uri)
        if parsed.scheme == "file":
            return Path(unquote(parsed.path))
        folder = self.session.roots[0] if self.session.roots else Path.cwd()
        return folder / f"untitled{_SUFFIX.get(language or '', '.yaml')}"

    def lint(self, uri: str) -> None:
        self.pending.pop(uri, None)
        document = self.workspace.get_text_document(uri)
        path = self.path_of(uri, document.language_id)
        linted = self.session.lint(path, document.source)
        self.linted[uri] = linted
        diagnostics = [self.to_lsp(d, linted) for d in linted.result.diagnostics]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=diagnostics)
        )
        if self.session.problem:
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Warning, f"lorachecks settings: {self.session.problem}")
            )
            self.session.problem = None

    def schedule(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_S, self.lint, uri)

    def to_lsp(self, d: Diagnostic, linted: session.Linted) -> types.Diagnostic:
        span = text.token_span(linted.lines, d.line, d.column, d.key)
        from lorachecks.rules import rule_by_code

        rule = rule_by_code(d.code)
        href = f"{self.docs_url}#{d.code.lower()}-{rule.name}" if self.docs_url and rule else None
        return types.Diagnostic(
            range=_range(span),
            message=d.message + (f"\nhint: {d.hint}" if d.hint else ""),
            severity=_SEVERITY[d.severity],
            code=d.code,
            code_description=types.CodeDescription(href=href) if href else None,
            source=SOURCE,
            data={"line": d.line, "column": d.column, "code": d.code},
        )


def _range(span: text.Span) -> types.Range:
    return types.Range(types.Position(span.line, span.start), types.Position(span.end_line, span.end))


server = LorachecksServer()


@server.feature(types.INITIALIZE)
def initialize(ls: LorachecksServer, params: types.InitializeParams) -> None:
    roots = [f.uri for f in params.workspace_folders or []] or ([params.root_uri] if params.root_uri else [])
    ls.session.roots = [ls.path_of(uri).resolve() for uri in roots if uri.startswith("file:")]
    given = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    if isinstance(given.get("docsUrl"), str):
        ls.docs_url = given["docsUrl"]
    ls.session.configure(given)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: LorachecksServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings.get("lorachecks") if isinstance(params.settings, dict) else None
    if isinstance(settings, dict):
        ls.session.configure(settings)
        for uri in list(ls.linted):
            ls.lint(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LorachecksServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.lint(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LorachecksServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.lint(params.text_document.uri)  # path checks may depend on files saved beside it


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LorachecksServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LorachecksServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    waiting = ls.pending.pop(uri, None)
    if waiting is not None:
        waiting.cancel()
    ls.linted.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _format_and_lines(ls: LorachecksServer, uri: str) -> tuple[Path, str | None, list[str]]:
    document = ls.workspace.get_text_document(uri)
    path = ls.path_of(uri, document.language_id)
    return path, session.format_of(path, ls.linted.get(uri)), text.lines(document.source)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LorachecksServer, params: types.HoverParams) -> types.Hover | None:
    path, format_name, lines = _format_and_lines(ls, params.text_document.uri)
    key = text.key_at(lines, params.position.line, params.position.character)
    if key is None or format_name is None:
        return None
    table = text.table_at(lines, params.position.line) if path.suffix == ".toml" else None
    prop = options.option(format_name, key, table)
    if prop is None:
        return None
    markdown = options.hover_markdown(format_name, key, prop)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown))


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", "=", " ", ",", '"']))
def completion(ls: LorachecksServer, params: types.CompletionParams) -> types.CompletionList:
    uri = params.text_document.uri
    path, format_name, lines = _format_and_lines(ls, uri)
    row = params.position.line
    if format_name is None or not 0 <= row < len(lines):
        return types.CompletionList(is_incomplete=False, items=[])
    line = lines[row]
    before = line[: text.from_utf16(line, params.position.character)]
    toml = path.suffix == ".toml"
    table = text.table_at(lines, row) if toml else None
    in_value = text.value_context(before)
    if in_value is not None:
        key, typed = in_value
        values = session.value_candidates(path, ls.linted.get(uri), format_name, key)
        return types.CompletionList(is_incomplete=False, items=_value_items(values, typed, toml))
    if text.partial_key(before) is None:
        return types.CompletionList(is_incomplete=False, items=[])
    written = text.written_keys(lines)
    accepted = session.release_keys(format_name, ls.linted.get(uri))
    items = []
    for name, prop in sorted(options.options(format_name, table).items()):
        if name in written or prop.get("deprecated") or (accepted is not None and name not in accepted):
            continue
        separator = " = " if toml else ": "
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Property,
                detail=options.type_name(prop),
                documentation=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=options.hover_markdown(format_name, name, prop)
                ),
                insert_text=name + ("" if path.suffix == ".json" else separator),
            )
        )
    return types.CompletionList(is_incomplete=False, items=items)


def _value_items(values: list[str], typed: str, toml: bool) -> list[types.CompletionItem]:
    items = []
    for value in values:
        plain = value in ("true", "false") or value.replace(".", "", 1).isdigit()
        quoted = f'"{value}"' if toml and not plain and not typed.startswith('"') else value
        items.append(types.CompletionItem(label=value, kind=types.CompletionItemKind.Value, insert_text=quoted))
    return items


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]),
)
def code_action(ls: LorachecksServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    linted = ls.linted.get(uri)
    document = ls.workspace.get_text_document(uri)
    if linted is None or linted.text != document.source:
        return []  # stale: the buffer changed since it was linted; the next lint answers
    wanted = {(d.data or {}).get("code") for d in params.context.diagnostics if d.source == SOURCE}
    first, last = params.range.start.line + 1, params.range.end.line + 1
    actions: list[types.CodeAction] = []
    for d in linted.result.diagnostics:
        if not first <= d.line <= last or (wanted and d.code not in wanted):
            continue
        if d.fix is not None:
            edits = [_text_edit(linted.text, e.start, e.end, e.replacement) for e in d.fix.edits]
            actions.append(_action(f"{d.fix.description} ({d.code})", uri, edits, preferred=True))
        where = session.suppression(linted, d)
        if where is not None:
            row, column, comment = where
            at = types.Position(row, text.to_utf16(linted.lines[row], column))
            edit = types.TextEdit(types.Range(at, at), comment)
            actions.append(_action(f"Disable {d.code} for this line", uri, [edit]))
    if any(d.fix for d in linted.result.diagnostics):
        fixed = session.fix_all(ls.path_of(uri, document.language_id), linted)
        if fixed != linted.text:
            end = text.offset_position(linted.text, len(linted.text))
            whole = types.TextEdit(types.Range(types.Position(0, 0), types.Position(*end)), fixed)
            actions.append(_action("Apply every safe lorachecks fix", uri, [whole], types.CodeActionKind.SourceFixAll))
    return actions


def _text_edit(source: str, start: int, end: int, replacement: str) -> types.TextEdit:
    begin, finish = text.offset_position(source, start), text.offset_position(source, end)
    return types.TextEdit(types.Range(types.Position(*begin), types.Position(*finish)), replacement)


def _action(
    title: str,
    uri: str,
    edits: list[types.TextEdit],
    kind: Any = types.CodeActionKind.QuickFix,
    preferred: bool = False,
) -> types.CodeAction:
    return types.CodeAction(
        title=title, kind=kind, edit=types.WorkspaceEdit(changes={uri: edits}), is_preferred=preferred or None
    )


def main() -> None:
    server.start_io()

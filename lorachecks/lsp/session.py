"""The language server's work without the protocol: lint a buffer with the settings the
command line would use for its file, and what an editor asks about it (fixes, suppressions,
completion). Positions here are lorachecks' (1-based lines, Python characters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lorachecks.core.diagnostics import Diagnostic, Fix
from lorachecks.core.options import FILE_OPTIONS, LintOption, camel
from lorachecks.core.records import field, record
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import FileResult, lint_file_safely, read_config
from lorachecks.formats import effective
from lorachecks.loader import syntax_of
from lorachecks.lsp import options, text

# Client options (initializationOptions, or the `lorachecks` section of the editor's
# settings): the lint options that decide a file's settings (scope "file" in
# lorachecks/core/options.py), named in camelCase, with the command line's meanings.
CLIENT_OPTIONS: dict[str, LintOption] = {camel(o.param): o for o in FILE_OPTIONS}


@record(slots=True)
class Linted:
    """A buffer's text as linted, and what lint found in it."""

    text: str
    result: FileResult
    settings: Settings
    lines: list[str] = field(default_factory=list)


class Session:
    """The workspace folders and client options that decide each buffer's settings."""

    def __init__(self, roots: list[Path] | None = None, client_options: dict[str, Any] | None = None) -> None:
        self.roots = [r.resolve() for r in roots or []]
        self.problem: str | None = None  # a bad client option, shown once to the user
        self.options: dict[str, Any] = {}
        self.configure(client_options or {})

    def configure(self, client_options: dict[str, Any]) -> None:
        chosen: dict[str, Any] = {}
        for name, value in client_options.items():
            option = CLIENT_OPTIONS.get(name)
            if option is None or value is None:
                continue
            if option.kind == "path":
                value = Path(str(value)).expanduser()
            elif option.kind == "list":
                value = [value] if isinstance(value, str) else [str(v) for v in value]
            chosen[option.param] = value
        self.options = chosen
        self.problem = None

    def root_of(self, path: Path) -> Path:
        """The workspace folder holding ``path`` (the launch directory, as on the command
        line run from the project root), or its own folder outside every workspace."""
        for root in sorted(self.roots, key=lambda r: len(r.parts), reverse=True):
            if path.is_relative_to(root):
                return root
        return path.parent

    def settings_for(self, path: Path) -> Settings:
        from lorachecks.cli.lint_command import UsageError, settings_from_options
        from lorachecks.engine.config import ConfigError, project_settings

        try:
            base, given = settings_from_options(self.options, cwd=self.root_of(path))
            return project_settings(base, given)(path)
        except (UsageError, ConfigError) as exc:
            self.problem = str(exc)
            base, given = settings_from_options(cwd=self.root_of(path))
            return base

    def lint(self, path: Path, buffer: str) -> Linted:
        settings = self.settings_for(path)
        try:
            buffer.encode("utf-8")
            content: str | bytes = buffer
        except UnicodeEncodeError:  # lone surrogates: no file can hold this text; lint says why
            content = buffer.encode("utf-8", "surrogatepass")
        result = lint_file_safely(path, settings, content=content)
        return Linted(buffer, result, settings, text.lines(buffer))


def fixes(linted: Linted) -> list[tuple[Diagnostic, Fix]]:
    return [(d, d.fix) for d in linted.result.diagnostics if d.fix is not None]


def fix_all(path: Path, linted: Linted) -> str:
    """The buffer with every safe fix applied (as `lorachecks fix` would write it)."""
    from lorachecks.engine.fix import fix_text

    fixed, _result, _applied = fix_text(path, linted.settings, linted.text)
    return fixed


def suppression(linted: Linted, diagnostic: Diagnostic) -> tuple[int, int, str] | None:
    """Where to insert a comment that silences ``diagnostic``'s rule on its line, as
    (0-based line, Python column, text); None where comments are impossible (JSON)."""
    from lorachecks.rules import suppress

    syntax = syntax_of(Path(diagnostic.path)) or "yaml"
    row = diagnostic.line - 1
    if syntax == "json" or not 0 <= row < len(linted.lines):
        return None
    line = linted.lines[row]
    if suppress.comment_start(line, syntax) is None:
        return row, len(line.rstrip()), f"  # lorachecks: disable={diagnostic.code}"
    indent = line[: len(line) - len(line.lstrip())]
    return row, 0, f"{indent}# lorachecks: disable-next-line={diagnostic.code}\n"


def format_of(path: Path, linted: Linted | None) -> str | None:
    """The buffer's format: what lint recognised, else a guess from the name (a new file)."""
    if linted is not None and linted.result.format:
        return linted.result.format
    syntax = syntax_of(path)
    if syntax == "toml":
        return "kohya-dataset" if "dataset" in path.name.lower() else "kohya"
    return "llamafactory" if syntax in ("yaml", "json") else None


def release_keys(format_name: str, linted: Linted | None) -> frozenset[str] | None:
    """The keys the targeted trainer release accepts (None: the format has no releases)."""
    from lorachecks.formats import by_name

    fmt = by_name(format_name)
    if fmt is None or fmt.release_keys is None or linted is None:
        return None
    return fmt.release_keys(linted.settings)


def value_candidates(path: Path, linted: Linted | None, format_name: str, key: str) -> list[str]:
    """Values to offer for ``key``: the option's allowed values, and for LLaMA-Factory the
    dataset names of the dataset_info.json the trainer would read and the model's layers."""
    prop = options.option(format_name, key) or {}
    values = [v if isinstance(v, str) else str(v).lower() for v in options.allowed_values(prop)]
    if format_name == "llamafactory" and linted is not None and key in ("dataset", "eval_dataset", "lora_target"):
        values += _project_values(path, linted, key)
    return list(dict.fromkeys(values))


def _project_values(path: Path, linted: Linted, key: str) -> list[str]:
    from lorachecks.formats.llamafactory.resolve import dataset_info_in, model_linear_modules
    from lorachecks.rules.context import RuleContext

    syntax = syntax_of(path) or "yaml"
    doc, fmt = read_config(path, syntax, linted.settings, linted.text)
    ctx = RuleContext(doc, fmt, linted.settings)
    data = doc.data if isinstance(doc.data, dict) else {}
    if key == "lora_target":
        model = data.get("model_name_or_path")
        found = model_linear_modules(ctx, model) if isinstance(model, str) else None
        return ["all", *sorted(found[1])] if found else ["all"]
    dataset_dir = effective.llamafactory(data)["dataset_dir"]
    if not isinstance(dataset_dir, str):
        return []
    return sorted(dataset_info_in(ctx, dataset_dir).entries)

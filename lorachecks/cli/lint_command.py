"""`lorachecks lint`: the command's work, shared by the typer command and the fast entry.

Kept free of typer, rich and Pydantic imports: a pre-commit hook linting one clean file
should cost little more than starting Python (see lorachecks/cli/entry.py).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from lorachecks.core.diagnostics import FileResult
    from lorachecks.core.settings import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad option or path: reported as ``lorachecks: error: ...`` with exit code 2."""


class _Buffered:
    """Collects output in 64 KiB writes: with PYTHONUNBUFFERED every line is a system call."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 65536:
            self.flush()
        return len(text)

    def flush(self) -> None:
        self.out.write("".join(self.parts))
        self.out.flush()
        self.parts.clear()
        self.size = 0


STDIN = "-"  # the path that means standard input (ruff's and yamllint's convention)


def stdin_name(text: str, input_format: str | None) -> Path:
    """The name given to standard input without --stdin-filename: its syntax, guessed."""
    from lorachecks.formats import by_name

    forced = by_name(input_format) if input_format else None
    if forced is not None:
        syntax = forced.syntaxes[0]
    else:
        first = next((line.strip() for line in text.splitlines() if line.strip() and line.strip()[0] != "#"), "")
        looks_toml = (first.startswith("[") and not first.startswith(("[{", "[[{", '["', "[]"))) or (
            "=" in first.split(":")[0] and not first.startswith(("-", "{"))
        )
        syntax = "json" if first.startswith("{") else "toml" if looks_toml else "yaml"
    return Path(f"stdin.{syntax}")


def _lint_stdin(
    name: Path | None, input_format: str | None, settings_for: Any, fix: bool, diff: bool
) -> tuple[list[FileResult], int | None]:
    """Lint the text on standard input as the file ``name`` (paths resolve from its folder).
    With --fix the fixed text goes to standard output (the caller reports on standard error);
    with --diff only the diff is printed (exit 1 when fixes are pending)."""
    from lorachecks.engine.linter import lint_file_safely
    from lorachecks.loader import decode_text

    raw = sys.stdin.buffer.read()
    path = name or stdin_name(raw.decode("utf-8", "replace"), input_format)
    settings = settings_for(path)
    text, _problem = decode_text(raw, settings.max_file_bytes)
    if not (fix or diff) or text is None:
        if fix and text is None:
            sys.stdout.buffer.write(raw)  # unreadable: passed through unchanged
        return [lint_file_safely(path, settings, content=raw)], None
    from lorachecks.engine.fix import fix_text, unified_diff

    fixed, result, _applied = fix_text(path, settings, text)
    if diff:
        sys.stdout.write(unified_diff(path, text, fixed))
        return [result], int(fixed != text)
    sys.stdout.write(fixed)
    sys.stdout.flush()
    return [result], None


def settings_from_options(
    options: Mapping[str, Any] | None = None, cwd: Path | None = None
) -> tuple[Settings, list[str]]:
    """The run's settings from lint options by name (lorachecks/core/options.py: the command
    line's, or a language server's), and the Settings fields the user gave (they win over
    the project configuration). Each value means what it means in a configuration file
    (lorachecks/engine/option_values.py). ``cwd`` is where a launch would start when ``launch_dir``
    is not given (default: the current directory; a language server passes the workspace
    folder). Raises UsageError."""
    from lorachecks.core.options import LINT_OPTIONS
    from lorachecks.core.settings import Settings
    from lorachecks.formats.llamafactory import environment

    options = options or {}
    values: dict[str, Any] = {}
    for option in LINT_OPTIONS:
        value = options.get(option.param)
        if option.scope == "command" or option.param == "cache" or not option.given(value):
            continue
        from lorachecks.engine.option_values import OptionError, setting_value  # only when options are given

        try:
            values[option.field] = setting_value(option.param, value, Path.cwd())
        except OptionError as exc:
            raise UsageError(f"{option.flags[0]}: {exc}") from None
    given = [o.field for o in LINT_OPTIONS if o.scope == "file" and o.field in values]
    python_env = values.get("python_env")
    if python_env is not None and not python_env.is_dir():
        raise UsageError(f"--python-env: no such environment folder: {options['python_env']}")
    for name in ("llamafactory", "transformers"):
        if f"{name}_version" in values:
            values[f"{name}_source"] = f"set with --{name}-version"
    cache, cache_dir = options.get("cache"), values.pop("cache_dir", None)
    if cache if cache is not None else cache_dir is not None:
        from lorachecks.engine.cache import DEFAULT_DIR

        values["cache_dir"] = (cache_dir or DEFAULT_DIR).resolve()
    values.setdefault("launch_dir", (cwd or Path.cwd()).resolve())
    settings = Settings(**values)
    if settings.transformers_version is None or "llamafactory_version" not in values:
        # What is installed or pinned decides, where nothing was stated (read, never imported).
        found = environment.detect(settings.python_env, settings.launch_dir)
        if (
            settings.transformers_version is None
            and found.transformers
            and not environment.check_transformers_version(found.transformers)
        ):
            settings.transformers_version, settings.transformers_source = found.transformers, found.source
        if "llamafactory_version" not in values and found.llamafactory:
            release = found.llamafactory.split("+")[0]
            if environment.check_llamafactory_version(release) is None:
                settings.llamafactory_version, settings.llamafactory_source = release, found.source
    return settings, given


def run_lint(paths: list[Path], **options: Any) -> int:
    """Lint, print the report and return the exit code; raises UsageError for bad input.
    ``options`` are lint options by name, as lorachecks/core/options.py declares them (absent:
    their default)."""
    from lorachecks.core.options import LINT_OPTIONS
    from lorachecks.engine.config import ConfigError, project_settings

    unknown = set(options) - {o.param for o in LINT_OPTIONS}
    if unknown:
        raise TypeError(f"run_lint: no such lint option: {', '.join(sorted(unknown))}")
    value = {o.param: options.get(o.param, o.default) for o in LINT_OPTIONS}
    output_format: str = value["output_format"]
    input_format: str | None = value["input_format"]
    fix: bool = value["fix"]
    diff: bool = value["diff"]
    if output_format != "text":  # text streams (report/text_format.py) without the Run machinery
        from lorachecks.report import OUTPUT_FORMATS
    if output_format != "text" and output_format not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format {output_format!r} (choose from {', '.join(OUTPUT_FORMATS)})")
    from_stdin = any(str(p) == STDIN for p in paths)
    if from_stdin and len(paths) > 1:
        raise UsageError("`-` (standard input) cannot be linted together with other paths")
    stdin_filename: Path | None = value["stdin_filename"]
    if stdin_filename is not None and not from_stdin:
        raise UsageError("--stdin-filename names the text read from `-`; give `-` as the path")
    missing = [str(p) for p in paths if str(p) != STDIN and not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    settings, given = settings_from_options(value)
    color = sys.stdout.isatty()
    out: Any = sys.stdout if color else _Buffered(sys.stdout)
    failed = False
    try:
        resolver = project_settings(settings, given, value["config"], value["isolated"])
        results: Iterable[FileResult]
        if from_stdin:
            results, exit_code = _lint_stdin(stdin_filename, input_format, resolver, fix, diff)
            if exit_code is not None:
                return exit_code
            if fix:  # standard output holds the fixed text: the report goes to standard error
                out = _Buffered(sys.stderr)
        elif fix or diff:
            from lorachecks.engine.fix import run_fixes

            results, exit_code = run_fixes(paths, settings, resolver, diff, sys.stdout, sys.stderr)
            if exit_code is not None:
                return exit_code  # --diff prints the diff only
        else:
            from lorachecks.engine.linter import lint_paths

            results = lint_paths(paths, settings, resolver)

        def watched(files: Iterable[FileResult]) -> Iterator[FileResult]:
            nonlocal failed
            for file in files:
                failed = failed or resolver.failed([file])
                yield file

        stream = getattr(importlib.import_module(f"lorachecks.report.{output_format}_format"), "render_stream", None)
        if stream is not None:  # prints as results arrive: memory stays flat on 100,000 files
            stream(watched(results), out, color, value["verbose"])
        else:
            from lorachecks.formats.llamafactory import environment
            from lorachecks.report import Run, renderer

            files = list(watched(results))
            run = Run(
                files=files,
                color=color,
                verbose=value["verbose"],
                strict=value["strict"],
                strict_for=lambda p: resolver(p).strict,
                environment=environment.assumed(settings),
                environment_for=lambda p: environment.assumed(resolver(p)),
            )
            renderer(output_format)(run, out)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    finally:
        out.flush()
    return EXIT_FINDINGS if failed else EXIT_OK

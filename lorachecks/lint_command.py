"""`lorachecks lint`: the command's work, shared by the typer command and the fast entry.

Kept free of typer, rich and Pydantic imports: a pre-commit hook linting one clean file
should cost little more than starting Python (see lorachecks/entry.py).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from lorachecks.diagnostics import FileResult
    from lorachecks.settings import Settings

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


def _memory(value: str | None) -> float | None:
    if value is None:
        return None
    from lorachecks.estimate import command

    try:
        return command.parse_memory(value)
    except command.UsageError as exc:
        raise UsageError(str(exc)) from None


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
    from lorachecks.linter import lint_file_safely
    from lorachecks.loader import decode_text

    raw = sys.stdin.buffer.read()
    path = name or stdin_name(raw.decode("utf-8", "replace"), input_format)
    settings = settings_for(path)
    text, _problem = decode_text(raw, settings.max_file_bytes)
    if not (fix or diff) or text is None:
        if fix and text is None:
            sys.stdout.buffer.write(raw)  # unreadable: passed through unchanged
        return [lint_file_safely(path, settings, content=raw)], None
    from lorachecks.fix import fix_text, unified_diff

    fixed, result, _applied = fix_text(path, settings, text)
    if diff:
        sys.stdout.write(unified_diff(path, text, fixed))
        return [result], int(fixed != text)
    sys.stdout.write(fixed)
    sys.stdout.flush()
    return [result], None


def codes(values: list[str] | None) -> frozenset[str]:
    return frozenset(c.strip().upper() for v in values or [] for c in v.split(",") if c.strip())


def settings_from_options(
    input_format: str | None = None,
    path_checks: bool | None = None,
    launch_dir: Path | None = None,
    llamafactory_version: str | None = None,
    transformers_version: str | None = None,
    kohya_script: str | None = None,
    python_env: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    strict: bool = False,
    max_file_bytes: int | None = None,
    gpu_memory: str | None = None,
    gpus: int | None = None,
    jobs: int | None = None,
    cache: bool | None = None,
    cache_dir: Path | None = None,
    yamllint: bool | None = None,
    cwd: Path | None = None,
) -> tuple[Settings, list[str]]:
    """The run's settings from the lint options (the command line's, or a language server's),
    and the names of those the user gave (they win over the project configuration).
    ``cwd`` is where a launch would start when ``launch_dir`` is not given (default: the
    current directory; a language server passes the workspace folder). Raises UsageError."""
    from lorachecks.formats.llamafactory import environment
    from lorachecks.settings import Settings

    budget = _memory(gpu_memory)
    for value, check in (
        (llamafactory_version, environment.check_llamafactory_version),
        (transformers_version, environment.check_transformers_version),
    ):
        problem = check(value) if value is not None else None
        if problem is not None:
            raise UsageError(problem)
    if kohya_script is not None:
        from lorachecks.formats.kohya.scripts import check_script

        problem = check_script(kohya_script)
        if problem is not None:
            raise UsageError(f"--kohya-script: {problem}")
    if python_env is not None and not python_env.is_dir():
        raise UsageError(f"--python-env: no such environment folder: {python_env}")
    if gpus is not None and gpus < 1:
        raise UsageError("--gpus must be at least 1")
    use_cache = cache if cache is not None else cache_dir is not None
    if use_cache:
        from lorachecks.cache import DEFAULT_DIR

        cache_dir = (cache_dir or DEFAULT_DIR).resolve()
    settings = Settings(
        format=input_format,
        path_checks=path_checks is not False,
        strict=strict,
        select=codes(select),
        ignore=codes(ignore),
        launch_dir=(launch_dir or cwd or Path.cwd()).resolve(),
        llamafactory_version=llamafactory_version or "latest",
        llamafactory_source="set with --llamafactory-version" if llamafactory_version else "",
        transformers_version=transformers_version,
        transformers_source="set with --transformers-version" if transformers_version else "",
        kohya_script=kohya_script,
        python_env=python_env.resolve() if python_env is not None else None,
        gpu_memory_gib=budget,
        gpus=gpus or 1,
        jobs=jobs,
        cache_dir=cache_dir if use_cache else None,
        yamllint=yamllint,
    )
    if max_file_bytes is not None:
        settings.max_file_bytes = max_file_bytes
    if transformers_version is None or llamafactory_version is None:
        # What is installed or pinned decides, where nothing was stated (read, never imported).
        found = environment.detect(settings.python_env, settings.launch_dir)
        if (
            transformers_version is None
            and found.transformers
            and not environment.check_transformers_version(found.transformers)
        ):
            settings.transformers_version, settings.transformers_source = found.transformers, found.source
        if llamafactory_version is None and found.llamafactory:
            release = found.llamafactory.split("+")[0]
            if environment.check_llamafactory_version(release) is None:
                settings.llamafactory_version, settings.llamafactory_source = release, found.source
    given = {
        "format": input_format is not None,
        "path_checks": path_checks is not None,
        "launch_dir": launch_dir is not None,
        "llamafactory_version": llamafactory_version is not None,
        "transformers_version": transformers_version is not None,
        "kohya_script": kohya_script is not None,
        "python_env": python_env is not None,
        "select": bool(select),
        "strict": strict,
        "gpu_memory_gib": gpu_memory is not None,
        "gpus": gpus is not None,
        "yamllint": yamllint is not None,
    }
    return settings, [k for k, v in given.items() if v]


def run_lint(
    paths: list[Path],
    output_format: str = "text",
    input_format: str | None = None,
    path_checks: bool | None = None,
    launch_dir: Path | None = None,
    llamafactory_version: str | None = None,
    transformers_version: str | None = None,
    kohya_script: str | None = None,
    python_env: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    strict: bool = False,
    max_file_bytes: int | None = None,
    gpu_memory: str | None = None,
    gpus: int | None = None,
    verbose: bool = False,
    fix: bool = False,
    diff: bool = False,
    config: Path | None = None,
    isolated: bool = False,
    jobs: int | None = None,
    cache: bool | None = None,
    cache_dir: Path | None = None,
    stdin_filename: Path | None = None,
    yamllint: bool | None = None,
) -> int:
    """Lint, print the report and return the exit code; raises UsageError for bad input."""
    from lorachecks.config import ConfigError, project_settings
    from lorachecks.formats import FORMATS, LINTABLE

    if output_format != "text":  # text streams (report/text_format.py) without the Run machinery
        from lorachecks.report import OUTPUT_FORMATS
    if output_format != "text" and output_format not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format {output_format!r} (choose from {', '.join(OUTPUT_FORMATS)})")
    if input_format is not None and input_format not in {f.name for f in FORMATS}:
        raise UsageError(f"unknown input format {input_format!r} (choose from {', '.join(LINTABLE)})")
    from_stdin = any(str(p) == STDIN for p in paths)
    if from_stdin and len(paths) > 1:
        raise UsageError("`-` (standard input) cannot be linted together with other paths")
    if stdin_filename is not None and not from_stdin:
        raise UsageError("--stdin-filename names the text read from `-`; give `-` as the path")
    missing = [str(p) for p in paths if str(p) != STDIN and not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    settings, given = settings_from_options(
        input_format=input_format,
        path_checks=path_checks,
        launch_dir=launch_dir,
        llamafactory_version=llamafactory_version,
        transformers_version=transformers_version,
        kohya_script=kohya_script,
        python_env=python_env,
        select=select,
        ignore=ignore,
        strict=strict,
        max_file_bytes=max_file_bytes,
        gpu_memory=gpu_memory,
        gpus=gpus,
        jobs=jobs,
        cache=cache,
        cache_dir=cache_dir,
        yamllint=yamllint,
    )
    color = sys.stdout.isatty()
    out: Any = sys.stdout if color else _Buffered(sys.stdout)
    failed = False
    try:
        resolver = project_settings(settings, given, config, isolated)
        results: Iterable[FileResult]
        if from_stdin:
            results, exit_code = _lint_stdin(stdin_filename, input_format, resolver, fix, diff)
            if exit_code is not None:
                return exit_code
            if fix:  # standard output holds the fixed text: the report goes to standard error
                out = _Buffered(sys.stderr)
        elif fix or diff:
            from lorachecks.fix import run_fixes

            results, exit_code = run_fixes(paths, settings, resolver, diff, sys.stdout, sys.stderr)
            if exit_code is not None:
                return exit_code  # --diff prints the diff only
        else:
            from lorachecks.linter import lint_paths

            results = lint_paths(paths, settings, resolver)

        def watched(files: Iterable[FileResult]) -> Iterator[FileResult]:
            nonlocal failed
            for file in files:
                failed = failed or resolver.failed([file])
                yield file

        stream = getattr(importlib.import_module(f"lorachecks.report.{output_format}_format"), "render_stream", None)
        if stream is not None:  # prints as results arrive: memory stays flat on 100,000 files
            stream(watched(results), out, color, verbose)
        else:
            from lorachecks.formats.llamafactory import environment
            from lorachecks.report import Run, renderer

            files = list(watched(results))
            run = Run(
                files=files,
                color=color,
                verbose=verbose,
                strict=strict,
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

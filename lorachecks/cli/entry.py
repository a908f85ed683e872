"""The `lorachecks` executable: a fast path for plain `lint` runs, typer for everything else.

Importing typer (and click) costs more than linting a config. A pre-commit hook runs
``lorachecks lint FILE...`` on every commit, so a `lint` command line made only of the
options below is parsed here and run directly; anything else (``--help``, an unknown or
malformed option, another command) goes to the typer app in lorachecks/cli/app.py, which owns
the help text and the error messages. Both paths call the same ``run_lint``, so output and
exit codes are identical; tests/test_performance.py checks the two parsers agree.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

from lorachecks.core.options import LINT_OPTIONS

# The fast parser's view of lorachecks/core/options.py: option -> (parameter, kind) for options
# taking a value, flag -> (parameter, value) for on/off flags.
VALUE_OPTIONS: dict[str, tuple[str, str]] = {
    flag: (option.param, option.kind)
    for option in LINT_OPTIONS
    if option.kind not in ("switch", "flag")
    for flag in option.flags
}
FLAGS: dict[str, tuple[str, bool]] = {
    **{flag: (o.param, True) for o in LINT_OPTIONS if o.kind in ("switch", "flag") for flag in o.flags},
    **{o.negative: (o.param, False) for o in LINT_OPTIONS if o.negative},
}


def parse_lint(args: list[str]) -> dict[str, Any] | None:
    """Keyword arguments for ``run_lint``, or None when typer must handle the line."""
    options: dict[str, Any] = {}
    paths: list[Path] = []
    rest = iter(args)
    only_paths = False
    for arg in rest:
        if only_paths:
            paths.append(Path(arg))
            continue
        if arg == "--":
            only_paths = True
            continue
        name, has_value, inline = arg.partition("=") if arg.startswith("--") else (arg, False, "")
        if name in VALUE_OPTIONS:
            value = inline if has_value else next(rest, None)
            if value is None or (not has_value and value.startswith("-")):
                return None
            param, kind = VALUE_OPTIONS[name]
            if kind == "list":
                options.setdefault(param, []).append(value)
            elif kind in ("int", "anyint"):
                try:
                    number = int(value)
                except ValueError:
                    return None
                if number < 1 and kind == "int":
                    return None  # typer's range error
                options[param] = number
            else:
                options[param] = Path(value) if kind == "path" else value
        elif arg in FLAGS:
            param, flag = FLAGS[arg]
            options[param] = flag
        elif arg.startswith("-") and arg != "-":
            return None  # --help, short-option clusters, unknown options: typer decides
        else:
            paths.append(Path(arg))
    if not paths:
        return None
    return {"paths": paths, **options}


# Start-up creates some 15,000 long-lived objects (modules, classes, functions, tables); at
# the default threshold (700) the cyclic collector scans them about 20 times and finds no
# garbage, ~5 % of a one-file lint. A larger first threshold still collects cycles.
GC_THRESHOLD = 20_000


EXIT_BROKEN_PIPE = 1  # what click (the other commands) exits with when the reader went away


def main() -> None:
    try:
        _main()
    except BrokenPipeError:
        # The reader stopped early (`lorachecks lint . | head`): end quietly, no traceback.
        # stdout goes to /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)


def _main() -> None:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    args = sys.argv[1:]
    if args[:1] == ["lint"]:
        parsed = parse_lint(args[1:])
        if parsed is not None:
            from lorachecks.cli.lint_command import EXIT_USAGE, UsageError, run_lint

            try:
                code = run_lint(**parsed)
            except UsageError as exc:
                sys.stderr.write(f"lorachecks: error: {exc}\n")
                code = EXIT_USAGE
            sys.stdout.flush()
            sys.exit(code)
    from lorachecks.cli.app import main as typer_main

    typer_main()

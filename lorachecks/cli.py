"""The command line: a thin layer over the linter, rules and reporters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lorachecks import __version__

app = typer.Typer(
    name="lorachecks",
    help="Catch broken LoRA fine-tuning configs before they waste a GPU hour.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"lorachecks: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _codes(values: list[str] | None) -> frozenset[str]:
    return frozenset(c.strip().upper() for v in values or [] for c in v.split(",") if c.strip())


@app.command()
def lint(
    paths: Annotated[list[Path], typer.Argument(help="Config files or folders to lint.")],
    output_format: Annotated[
        str, typer.Option("--format", "--output-format", "-f", help="Output: text or json.")
    ] = "text",
    input_format: Annotated[
        Optional[str],
        typer.Option("--input-format", help="Treat every file as this config format instead of detecting it."),
    ] = None,
    no_path_checks: Annotated[
        bool, typer.Option("--no-path-checks", help="Skip checks that need models, data or folders on this machine.")
    ] = False,
    launch_dir: Annotated[
        Optional[Path],
        typer.Option(
            "--launch-dir",
            help="Directory the trainer is started from (relative paths resolve here). Default: the current directory.",
        ),
    ] = None,
    llamafactory_version: Annotated[
        str,
        typer.Option("--llamafactory-version", help="LLaMA-Factory release to check against, e.g. 0.9.5, or latest."),
    ] = "latest",
    select: Annotated[
        Optional[list[str]], typer.Option("--select", help="Only these rule codes or prefixes (comma-separated).")
    ] = None,
    ignore: Annotated[
        Optional[list[str]], typer.Option("--ignore", help="Skip these rule codes or prefixes (comma-separated).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every file checked.")] = False,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: decided from the file count."),
    ] = None,
    cache: Annotated[
        Optional[bool],
        typer.Option(
            "--cache/--no-cache",
            help="Reuse results of unchanged files (.lorachecks_cache/; never with path checks on). Default: off.",
        ),
    ] = None,
    cache_dir: Annotated[
        Optional[Path], typer.Option("--cache-dir", help="Where --cache keeps results (implies --cache).")
    ] = None,
) -> None:
    """Lint training configs; exit 1 when any error is found (or warning, with --strict)."""
    from lorachecks.lint_command import UsageError, run_lint

    try:
        code = run_lint(
            paths,
            output_format=output_format,
            input_format=input_format,
            no_path_checks=no_path_checks,
            launch_dir=launch_dir,
            llamafactory_version=llamafactory_version,
            select=select,
            ignore=ignore,
            strict=strict,
            verbose=verbose,
            jobs=jobs,
            cache=cache,
            cache_dir=cache_dir,
        )
    except UsageError as exc:
        raise _usage_error(str(exc)) from None
    raise typer.Exit(code)


@app.command()
def rules() -> None:
    """List every rule with its code, default severity and summary."""
    from lorachecks.rules import all_rules

    for rule in all_rules():
        formats = ",".join(sorted(rule.formats)) if rule.formats else "all"
        typer.echo(f"{rule.code}  {rule.name:<24} {rule.severity.value:<8} {formats:<14} {rule.summary}")


@app.command()
def explain(code: Annotated[str, typer.Argument(help="Rule code (LC101) or name (unknown-key).")]) -> None:
    """Explain a rule: what it checks, why it matters, and an example."""
    import inspect

    from lorachecks.rules import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        raise _usage_error(f"no rule {code!r}; `lorachecks rules` lists them")
    typer.echo(f"{rule.code} ({rule.name}), default severity: {rule.severity.value}\n")
    typer.echo(inspect.cleandoc(rule.doc))


@app.command()
def version() -> None:
    """Print the lorachecks version."""
    typer.echo(__version__)


def main() -> None:
    app()

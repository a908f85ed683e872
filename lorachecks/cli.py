"""The command line: a thin layer over the linter, rules and reporters."""

from __future__ import annotations

import sys
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
) -> None:
    """Lint training configs; exit 1 when any error is found (or warning, with --strict)."""
    from lorachecks.formats import FORMATS, LINTABLE
    from lorachecks.linter import lint_paths
    from lorachecks.report import OUTPUT_FORMATS, Run, renderer
    from lorachecks.settings import Settings

    if output_format not in OUTPUT_FORMATS:
        raise _usage_error(f"unknown output format {output_format!r} (choose from {', '.join(OUTPUT_FORMATS)})")
    if input_format is not None and input_format not in {f.name for f in FORMATS}:
        raise _usage_error(f"unknown input format {input_format!r} (choose from {', '.join(LINTABLE)})")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise _usage_error(f"no such file or directory: {', '.join(missing)}")
    settings = Settings(
        format=input_format,
        path_checks=not no_path_checks,
        strict=strict,
        select=_codes(select),
        ignore=_codes(ignore),
        launch_dir=(launch_dir or Path.cwd()).resolve(),
        llamafactory_version=llamafactory_version,
    )
    run = Run(files=list(lint_paths(paths, settings)), color=sys.stdout.isatty(), verbose=verbose)
    renderer(output_format)(run, sys.stdout)
    counts = run.counts()
    failed = counts["error"] > 0 or (strict and counts["warning"] > 0)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


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


@app.command("dry-run")
def dry_run(
    config: Annotated[Path, typer.Argument(help="The training config to dry-run.")],
    device: Annotated[str, typer.Option("--device", help="cpu, cuda, meta (no weights) or auto.")] = "auto",
    steps: Annotated[int, typer.Option("--steps", help="Steps on the same batch; >1 checks that the loss falls.")] = 1,
    save: Annotated[bool, typer.Option("--save", help="Save the adapter to a temporary folder and reload it.")] = False,
    allow_download: Annotated[
        bool, typer.Option("--allow-download", help="Let transformers download from the hub (offline otherwise).")
    ] = False,
    trust_remote_code: Annotated[
        bool, typer.Option("--trust-remote-code", help="Run model code from the hub, if the config says so too.")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help="Output: text or json.")] = "text",
    launch_dir: Annotated[
        Optional[Path], typer.Option("--launch-dir", help="Directory the trainer is started from. Default: here.")
    ] = None,
) -> None:
    """Build the model with its adapter and run real training steps (needs the dryrun extra)."""
    from lorachecks.dryrun import DEVICES, Options, main

    if device not in DEVICES:
        raise _usage_error(f"unknown device {device!r} (choose from {', '.join(DEVICES)})")
    if output_format not in ("text", "json"):
        raise _usage_error(f"unknown output format {output_format!r} (choose from text, json)")
    if steps < 1:
        raise _usage_error("--steps must be at least 1")
    if not config.is_file():
        raise _usage_error(f"no such file: {config}")
    options = Options(device, steps, save, allow_download, trust_remote_code, launch_dir)
    raise typer.Exit(main(config, options, output_format))


@app.command()
def version() -> None:
    """Print the lorachecks version."""
    typer.echo(__version__)


def main() -> None:
    app()

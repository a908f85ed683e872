"""The command line: a thin layer over the linter, rules and reporters."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from lorachecks import __version__
from lorachecks.core.options import LINT_OPTIONS, NOT_FOR_FIX, LintOption

app = typer.Typer(
    name="lorachecks",
    help="Catch broken LoRA fine-tuning configs before they waste a GPU hour.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"lorachecks {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    """Catch broken LoRA fine-tuning configs before they waste a GPU hour."""


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"lorachecks: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _declaration(option: LintOption) -> Any:
    """The typer declaration of one entry of lorachecks/core/options.py."""
    if option.kind == "switch":
        return typer.Option(f"{option.flags[0]}/{option.negative}", help=option.help)
    extra: dict[str, Any] = {"min": 1} if option.kind == "int" else {}
    return typer.Option(*option.flags, help=option.help, **extra)


def _lint_option(param: str) -> Any:
    """A lint option another command takes too: the same flags, help and meaning."""
    return _declaration(next(o for o in LINT_OPTIONS if o.param == param))


def _option_parameter(option: LintOption) -> inspect.Parameter:
    """A typer parameter for one entry of lorachecks/core/options.py."""
    annotation = {
        "value": str if option.default is not None else Optional[str],
        "list": Optional[list[str]],
        "path": Optional[Path],
        "int": Optional[int],
        "anyint": Optional[int],
        "switch": Optional[bool],
        "flag": bool,
    }[option.kind]
    return inspect.Parameter(
        option.param,
        inspect.Parameter.KEYWORD_ONLY,
        default=option.default,
        annotation=Annotated[annotation, _declaration(option)],
    )


def _lint_like(name: str, help_text: str, paths_help: str, options: tuple[LintOption, ...], **fixed: Any) -> None:
    """Register a command taking config paths and ``options``; ``fixed`` values are not
    options of this command (``fix`` always fixes)."""

    def command(paths: list[Path], **values: Any) -> None:
        from lorachecks.cli.lint_command import UsageError, run_lint

        try:
            code = run_lint(paths, **values, **fixed)
        except UsageError as exc:
            raise _usage_error(str(exc)) from None
        raise typer.Exit(code)

    paths = inspect.Parameter(
        "paths",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[list[Path], typer.Argument(help=paths_help)],
    )
    parameters = [paths, *(_option_parameter(o) for o in options)]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = help_text
    app.command(name=name)(command)


_lint_like(
    "lint",
    "Lint training configs; exit 1 when any error is found (or warning, with --strict).",
    "Config files or folders to lint; `-` reads standard input.",
    LINT_OPTIONS,
)
_lint_like(
    "fix",
    "Apply the safe fixes (renamed and misspelt keys, 2e-4 in PyYAML formats, yes/no) in place, then report "
    "what is left.",
    "Config files or folders to fix; `-` reads standard input and prints the fixed text.",
    tuple(o for o in LINT_OPTIONS if o.param not in NOT_FOR_FIX),
    fix=True,
)


@app.command()
def estimate(
    config: Annotated[Path, typer.Argument(help="A training config (LLaMA-Factory; kohya / lora-scripts).")],
    gpu_memory: Annotated[Optional[str], _lint_option("gpu_memory")] = None,
    gpus: Annotated[Optional[int], _lint_option("gpus")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="Output: text or json.")] = "text",
    input_format: Annotated[Optional[str], _lint_option("input_format")] = None,
    launch_dir: Annotated[Optional[Path], _lint_option("launch_dir")] = None,
    llamafactory_version: Annotated[Optional[str], _lint_option("llamafactory_version")] = None,
    project_config: Annotated[Optional[Path], _lint_option("config")] = None,
    isolated: Annotated[bool, _lint_option("isolated")] = False,
) -> None:
    """Estimate peak GPU memory per GPU: weights, adapters, gradients, optimizer, activations.
    The project configuration (lorachecks.toml, [tool.lorachecks]) applies as for lint."""
    from lorachecks.estimate.command import UsageError, run_estimate

    options = {
        "gpu_memory": gpu_memory,
        "gpus": gpus,
        "input_format": input_format,
        "launch_dir": launch_dir,
        "llamafactory_version": llamafactory_version,
    }
    try:
        outcome = run_estimate(config, options, output_format, project_config, isolated)
    except UsageError as exc:
        raise _usage_error(str(exc)) from None
    typer.echo(outcome.text, nl=False)
    raise typer.Exit(outcome.exit_code)


@app.command()
def rules(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text (a table) or markdown (the docs/rules.md page).")
    ] = "text",
) -> None:
    """List every rule with its code, default severity, fixability and summary."""
    from lorachecks.cli import ruledoc

    if output_format not in ("text", "markdown"):
        raise _usage_error(f"unknown format {output_format!r} (choose from text, markdown)")
    typer.echo(ruledoc.markdown() if output_format == "markdown" else ruledoc.text_table(), nl=False)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="Rule code (LC101) or name (unknown-key).")]) -> None:
    """Explain a rule: what it checks, why it matters, and an example."""
    from lorachecks.cli import ruledoc
    from lorachecks.rules import codes_for_alias, rule_by_code

    rule = rule_by_code(code)
    if rule is not None:
        typer.echo(ruledoc.explain(rule), nl=False)
    elif codes_for_alias(code):
        typer.echo(ruledoc.explain_alias(code.upper()), nl=False)
    else:
        raise _usage_error(f"no rule {code!r}; `lorachecks rules` lists them")


@app.command()
def schema(
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="Only this config format (default: every format with a schema)."),
    ] = None,
    output_dir: Annotated[
        Optional[Path], typer.Option("--output-dir", "-o", help="Write <format>.schema.json files here.")
    ] = None,
) -> None:
    """Export JSON Schemas (draft 2020-12) for editors and schema validators; stdout without -o."""
    from lorachecks.cli.schema_export import export, json_schema, render, schema_formats

    available = {f.name: f for f in schema_formats()}
    if fmt is not None and fmt not in available:
        raise _usage_error(f"no schema for format {fmt!r} (choose from {', '.join(available)})")
    chosen = (available[fmt],) if fmt is not None else tuple(available.values())
    if output_dir is None:
        if len(chosen) != 1:
            raise _usage_error(f"several schemas ({', '.join(available)}): choose one with --format, or use -o DIR")
        sys.stdout.write(render(json_schema(chosen[0])))
        return
    for path in export(output_dir, chosen):
        typer.echo(f"wrote {path}")


@app.command("dry-run")
def dry_run(
    configs: Annotated[
        list[Path], typer.Argument(help="Training configs to dry-run (with several, non-configs are skipped).")
    ],
    device: Annotated[str, typer.Option("--device", help="cpu, cuda, meta (no weights) or auto.")] = "auto",
    init: Annotated[
        str,
        typer.Option("--init", help="weights (the model's files) or random (built from config.json, no weights)."),
    ] = "weights",
    steps: Annotated[int, typer.Option("--steps", help="Steps on the same batch; >1 checks that the loss falls.")] = 1,
    save: Annotated[bool, typer.Option("--save", help="Save the adapter to a temporary folder and reload it.")] = False,
    allow_download: Annotated[
        bool, typer.Option("--allow-download", help="Let transformers download from the hub (offline otherwise).")
    ] = False,
    trust_remote_code: Annotated[
        bool, typer.Option("--trust-remote-code", help="Run model code from the hub, if the config says so too.")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help="Output: text or json.")] = "text",
    launch_dir: Annotated[Optional[Path], _lint_option("launch_dir")] = None,
    project_config: Annotated[Optional[Path], _lint_option("config")] = None,
    isolated: Annotated[bool, _lint_option("isolated")] = False,
    nproc: Annotated[
        int,
        typer.Option(
            "--nproc",
            min=1,
            help="Processes for the step under torch.distributed.run (DDP, or FSDP when the config sets fsdp).",
        ),
    ] = 1,
) -> None:
    """Build the model with its adapter and run real training steps (needs the dryrun extra).
    The project configuration (lorachecks.toml, [tool.lorachecks]) applies as for lint."""
    from lorachecks.dryrun import DEVICES, INITS, Options, main

    if device not in DEVICES:
        raise _usage_error(f"unknown device {device!r} (choose from {', '.join(DEVICES)})")
    if init not in INITS:
        raise _usage_error(f"unknown --init {init!r} (choose from {', '.join(INITS)})")
    if output_format not in ("text", "json"):
        raise _usage_error(f"unknown output format {output_format!r} (choose from text, json)")
    if steps < 1:
        raise _usage_error("--steps must be at least 1")
    missing = [str(c) for c in configs if not c.is_file()]
    if missing:
        raise _usage_error(f"no such file: {', '.join(missing)}")
    options = Options(
        device,
        steps,
        save,
        allow_download,
        trust_remote_code,
        launch_dir,
        init,
        nproc,
        config=project_config,
        isolated=isolated,
    )
    raise typer.Exit(main(configs, options, output_format))


@app.command()
def server() -> None:
    """Run the language server on stdin/stdout (LSP), for editors: diagnostics while you type,
    hover, completion and quick fixes (docs/editors.md)."""
    try:
        from lorachecks.lsp.server import main
    except ImportError as exc:  # pygls is a dependency; a broken install says so plainly
        raise _usage_error(f"the language server needs pygls: {exc}") from None
    main()


@app.command()
def version() -> None:
    """Print the lorachecks version."""
    typer.echo(__version__)


def main() -> None:
    app()

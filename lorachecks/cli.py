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
        str,
        typer.Option("--format", "--output-format", "-f", help="Output: text, json, github, sarif, junit or gitlab."),
    ] = "text",
    input_format: Annotated[
        Optional[str],
        typer.Option("--input-format", help="Treat every file as this config format instead of detecting it."),
    ] = None,
    path_checks: Annotated[
        Optional[bool],
        typer.Option(
            "--path-checks/--no-path-checks", help="Run (or skip) checks that need models, data or folders here."
        ),
    ] = None,
    launch_dir: Annotated[
        Optional[Path],
        typer.Option(
            "--launch-dir",
            help="Directory the trainer is started from (relative paths resolve here). Default: the current directory.",
        ),
    ] = None,
    llamafactory_version: Annotated[
        Optional[str],
        typer.Option("--llamafactory-version", help="LLaMA-Factory release to check against, e.g. 0.9.5, or latest."),
    ] = None,
    transformers_version: Annotated[
        Optional[str],
        typer.Option(
            "--transformers-version",
            help="transformers release that runs the configs, e.g. 4.52.4 (default: installed, pinned, or the range the LLaMA-Factory release allows).",
        ),
    ] = None,
    kohya_script: Annotated[
        Optional[str],
        typer.Option(
            "--kohya-script",
            help="sd-scripts script that reads the kohya training configs, e.g. sdxl_train_network (default: inferred per file).",
        ),
    ] = None,
    python_env: Annotated[
        Optional[Path],
        typer.Option("--python-env", help="Virtual environment that runs the trainer: its installed versions decide."),
    ] = None,
    select: Annotated[
        Optional[list[str]], typer.Option("--select", help="Only these rule codes or prefixes (comma-separated).")
    ] = None,
    ignore: Annotated[
        Optional[list[str]], typer.Option("--ignore", help="Skip these rule codes or prefixes (comma-separated).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    max_file_bytes: Annotated[
        Optional[int], typer.Option("--max-file-bytes", min=1, help="Refuse larger files (LC005); default 10 MiB.")
    ] = None,
    gpu_memory: Annotated[
        Optional[str], typer.Option("--gpu-memory", help="Memory per GPU for the VRAM check (LC501), e.g. 24GB.")
    ] = None,
    gpus: Annotated[
        Optional[int], typer.Option("--gpus", help="GPUs the run uses (memory and batch heuristics).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every file checked.")] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply the safe fixes in place, then report what is left.")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the safe fixes as a diff; change nothing.")] = False,
    config: Annotated[
        Optional[Path], typer.Option("--config", help="Use this lorachecks.toml / pyproject.toml for every file.")
    ] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore project configuration files.")] = False,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: decided from the file count."),
    ] = None,
    cache: Annotated[
        Optional[bool],
        typer.Option(
            "--cache/--no-cache",
            help="Reuse results of unchanged files (.lorachecks_cache/; never for path checks). Default: off.",
        ),
    ] = None,
    cache_dir: Annotated[
        Optional[Path], typer.Option("--cache-dir", help="Where --cache keeps results (implies --cache).")
    ] = None,
    yamllint: Annotated[
        Optional[bool],
        typer.Option(
            "--yamllint/--no-yamllint",
            help="yamllint's style findings on YAML configs (LC700). Default: where a .yamllint exists.",
        ),
    ] = None,
    stdin_filename: Annotated[
        Optional[Path],
        typer.Option(
            "--stdin-filename",
            help="With `-` as the path: the file name standard input stands for (format, project config, paths).",
        ),
    ] = None,
) -> None:
    """Lint training configs; exit 1 when any error is found (or warning, with --strict)."""
    from lorachecks.lint_command import UsageError, run_lint

    try:
        code = run_lint(
            paths,
            output_format=output_format,
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
            verbose=verbose,
            fix=fix,
            diff=diff,
            config=config,
            isolated=isolated,
            jobs=jobs,
            cache=cache,
            cache_dir=cache_dir,
            stdin_filename=stdin_filename,
            yamllint=yamllint,
        )
    except UsageError as exc:
        raise _usage_error(str(exc)) from None
    raise typer.Exit(code)


@app.command(name="fix")
def fix_command(
    paths: Annotated[list[Path], typer.Argument(help="Config files or folders to fix.")],
    diff: Annotated[bool, typer.Option("--diff", help="Print the fixes as a diff; change nothing.")] = False,
    output_format: Annotated[
        str, typer.Option("--format", "--output-format", "-f", help="Output for what is left: text or json.")
    ] = "text",
    input_format: Annotated[Optional[str], typer.Option("--input-format", help="Force this config format.")] = None,
    path_checks: Annotated[
        Optional[bool], typer.Option("--path-checks/--no-path-checks", help="Report path problems left over.")
    ] = None,
    llamafactory_version: Annotated[
        Optional[str], typer.Option("--llamafactory-version", help="LLaMA-Factory release to check against.")
    ] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only fix these rule codes.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Do not fix these rule codes.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Use this configuration file.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore project configuration files.")] = False,
) -> None:
    """Apply the safe fixes (renamed and misspelt keys, 2e-4 in PyYAML formats, yes/no) in place."""
    lint(
        paths,
        output_format=output_format,
        input_format=input_format,
        path_checks=path_checks,
        llamafactory_version=llamafactory_version,
        select=select,
        ignore=ignore,
        fix=True,
        diff=diff,
        config=config,
        isolated=isolated,
    )


def _memory(value: str | None) -> float | None:
    from lorachecks.estimate.command import UsageError, parse_memory

    try:
        return parse_memory(value) if value is not None else None
    except UsageError as exc:
        raise _usage_error(str(exc)) from None


@app.command()
def estimate(
    config: Annotated[Path, typer.Argument(help="A training config (LLaMA-Factory; kohya / lora-scripts).")],
    gpu_memory: Annotated[
        Optional[str], typer.Option("--gpu-memory", help="Memory per GPU, e.g. 24GB: say whether the run fits.")
    ] = None,
    gpus: Annotated[int, typer.Option("--gpus", help="GPUs the run is spread over (DeepSpeed/FSDP sharding).")] = 1,
    output_format: Annotated[str, typer.Option("--format", "-f", help="Output: text or json.")] = "text",
    input_format: Annotated[
        Optional[str], typer.Option("--input-format", help="Config format instead of detecting it.")
    ] = None,
    launch_dir: Annotated[
        Optional[Path], typer.Option("--launch-dir", help="Directory relative model paths resolve from.")
    ] = None,
) -> None:
    """Estimate peak GPU memory per GPU: weights, adapters, gradients, optimizer, activations."""
    from lorachecks.estimate.command import UsageError, run_estimate

    try:
        outcome = run_estimate(config, gpu_memory, gpus, output_format, input_format, launch_dir)
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
    from lorachecks import ruledoc

    if output_format not in ("text", "markdown"):
        raise _usage_error(f"unknown format {output_format!r} (choose from text, markdown)")
    typer.echo(ruledoc.markdown() if output_format == "markdown" else ruledoc.text_table(), nl=False)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="Rule code (LC101) or name (unknown-key).")]) -> None:
    """Explain a rule: what it checks, why it matters, and an example."""
    from lorachecks import ruledoc
    from lorachecks.rules import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        raise _usage_error(f"no rule {code!r}; `lorachecks rules` lists them")
    typer.echo(ruledoc.explain(rule), nl=False)


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
    from lorachecks.schema_export import export, json_schema, render, schema_formats

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
    launch_dir: Annotated[
        Optional[Path], typer.Option("--launch-dir", help="Directory the trainer is started from. Default: here.")
    ] = None,
) -> None:
    """Build the model with its adapter and run real training steps (needs the dryrun extra)."""
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
    options = Options(device, steps, save, allow_download, trust_remote_code, launch_dir, init)
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

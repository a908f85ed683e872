"""The `lint` options, declared once: flags, kind and help of each.

The fast entry (entry.py) parses plain `lint` command lines from this table without typer,
the typer app (cli.py) builds the `lint` and `fix` commands' parameters from it, and the
language server (lsp/session.py) names its client options after it, so an option means the
same everywhere it is taken. Every ``param`` is a keyword of ``lint_command.run_lint``.
Plain data: importing this module costs nothing on the fast path.
"""

from __future__ import annotations

from lorachecks.records import record


@record(frozen=True, slots=True)
class LintOption:
    param: str
    flags: tuple[str, ...]  # the first one is the name shown in help and messages
    # "value" (text, last one wins), "list" (repeatable), "path", "int" (1 or more),
    # "anyint" (run_lint checks the range), "switch" (--x/--no-x, None when absent),
    # "flag" (on when given)
    kind: str
    help: str
    negative: str | None = None  # the --no-x flag of a switch
    default: object = None


LINT_OPTIONS: tuple[LintOption, ...] = (
    LintOption(
        "output_format",
        ("--format", "--output-format", "-f"),
        "value",
        "Output: text, json, github, sarif, junit or gitlab.",
        default="text",
    ),
    LintOption(
        "input_format", ("--input-format",), "value", "Treat every file as this config format instead of detecting it."
    ),
    LintOption(
        "path_checks",
        ("--path-checks",),
        "switch",
        "Run (or skip) checks that need models, data or folders here.",
        negative="--no-path-checks",
    ),
    LintOption(
        "launch_dir",
        ("--launch-dir",),
        "path",
        "Directory the trainer is started from (relative paths resolve here). Default: the current directory.",
    ),
    LintOption(
        "llamafactory_version",
        ("--llamafactory-version",),
        "value",
        "LLaMA-Factory release to check against, e.g. 0.9.5, or latest.",
    ),
    LintOption(
        "transformers_version",
        ("--transformers-version",),
        "value",
        "transformers release that runs the configs, e.g. 4.52.4 (default: installed, pinned, or the range the "
        "LLaMA-Factory release allows).",
    ),
    LintOption(
        "kohya_script",
        ("--kohya-script",),
        "value",
        "sd-scripts script that reads the kohya training configs, e.g. sdxl_train_network (default: inferred per file).",
    ),
    LintOption(
        "python_env",
        ("--python-env",),
        "path",
        "Virtual environment that runs the trainer: its installed versions decide.",
    ),
    LintOption("select", ("--select",), "list", "Only these rule codes or prefixes (comma-separated)."),
    LintOption("ignore", ("--ignore",), "list", "Skip these rule codes or prefixes (comma-separated)."),
    LintOption("strict", ("--strict",), "flag", "Warnings fail the run too.", default=False),
    LintOption("max_file_bytes", ("--max-file-bytes",), "int", "Refuse larger files (LC005); default 10 MiB."),
    LintOption("gpu_memory", ("--gpu-memory",), "value", "Memory per GPU for the VRAM check (LC501), e.g. 24GB."),
    LintOption("gpus", ("--gpus",), "anyint", "GPUs the run uses (memory and batch heuristics)."),
    LintOption("verbose", ("--verbose", "-v"), "flag", "List every file checked.", default=False),
    LintOption("fix", ("--fix",), "flag", "Apply the safe fixes in place, then report what is left.", default=False),
    LintOption("diff", ("--diff",), "flag", "Print the safe fixes as a diff; change nothing.", default=False),
    LintOption("config", ("--config",), "path", "Use this lorachecks.toml / pyproject.toml for every file."),
    LintOption("isolated", ("--isolated",), "flag", "Ignore project configuration files.", default=False),
    LintOption("jobs", ("--jobs", "-j"), "int", "Worker processes. Default: decided from the file count."),
    LintOption(
        "cache",
        ("--cache",),
        "switch",
        "Reuse results of unchanged files (.lorachecks_cache/; never for path checks). Default: off.",
        negative="--no-cache",
    ),
    LintOption("cache_dir", ("--cache-dir",), "path", "Where --cache keeps results (implies --cache)."),
    LintOption(
        "stdin_filename",
        ("--stdin-filename",),
        "path",
        "With `-` as the path: the file name standard input stands for (format, project config, paths).",
    ),
    LintOption(
        "yamllint",
        ("--yamllint",),
        "switch",
        "yamllint's style findings on YAML configs (LC700). Default: where a .yamllint exists.",
        negative="--no-yamllint",
    ),
)
# `fix` takes every lint option but these: it always fixes, and caches nothing.
NOT_FOR_FIX = frozenset({"fix", "jobs", "cache", "cache_dir", "stdin_filename"})


def camel(param: str) -> str:
    """The language server's name of an option: ``launch_dir`` -> ``launchDir``."""
    head, *rest = param.split("_")
    return head + "".join(part.capitalize() for part in rest)

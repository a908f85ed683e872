"""The `lint` options, declared once: flags, kind, help, the Settings field and the project
configuration key of each.

Everything else derives from this table: the fast entry (entry.py) parses plain `lint`
command lines from it without typer; the typer app (cli.py) builds the `lint` and `fix`
commands' parameters; ``lint_command.run_lint`` takes its keywords and defaults;
``lint_command.settings_from_options`` fills Settings; config.py takes its keys; the
language server (lsp/session.py) its client options. A value is converted by one function
per option (option_values.py), so an option means the same everywhere it is taken.
Plain data: importing this module costs nothing on the fast path.
"""

from __future__ import annotations

from lorachecks.core.records import record


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
    # "file": decides a file's verdicts (a Settings field; the language server takes it too);
    # "run": how a run executes (workers, cache); "command": output and what the command does.
    scope: str = "command"
    setting: str | None = None  # the Settings field it sets, when it is not ``param``
    # Its key in a project configuration file (lorachecks.toml, [tool.lorachecks]), if any,
    # and whether a per-path section may set it too.
    config_key: str | None = None
    per_path: bool = False

    @property
    def field(self) -> str:
        """The Settings field this option sets."""
        return self.setting or self.param

    def given(self, value: object) -> bool:
        """Whether ``value`` was given by the user (it then wins over the project configuration)."""
        return value is not None and value != self.default and value != []


LINT_OPTIONS: tuple[LintOption, ...] = (
    LintOption(
        "output_format",
        ("--format", "--output-format", "-f"),
        "value",
        "Output: text, json, github, sarif, junit or gitlab.",
        default="text",
    ),
    LintOption(
        "input_format",
        ("--input-format",),
        "value",
        "Treat every file as this config format instead of detecting it.",
        scope="file",
        setting="format",
        config_key="format",
        per_path=True,
    ),
    LintOption(
        "path_checks",
        ("--path-checks",),
        "switch",
        "Run (or skip) checks that need models, data or folders here.",
        negative="--no-path-checks",
        scope="file",
        config_key="path-checks",
        per_path=True,
    ),
    LintOption(
        "launch_dir",
        ("--launch-dir",),
        "path",
        "Directory the trainer is started from (relative paths resolve here). Default: the current directory.",
        scope="file",
        config_key="launch-dir",
    ),
    LintOption(
        "llamafactory_version",
        ("--llamafactory-version",),
        "value",
        "LLaMA-Factory release to check against, e.g. 0.9.5, or latest.",
        scope="file",
        config_key="llamafactory-version",
        per_path=True,
    ),
    LintOption(
        "transformers_version",
        ("--transformers-version",),
        "value",
        "transformers release that runs the configs, e.g. 4.52.4 (default: installed, pinned, or the range the "
        "LLaMA-Factory release allows).",
        scope="file",
        config_key="transformers-version",
        per_path=True,
    ),
    LintOption(
        "kohya_script",
        ("--kohya-script",),
        "value",
        "sd-scripts script that reads the kohya training configs, e.g. sdxl_train_network (default: inferred per file).",
        scope="file",
        config_key="kohya-script",
        per_path=True,
    ),
    LintOption(
        "python_env",
        ("--python-env",),
        "path",
        "Virtual environment that runs the trainer: its installed versions decide.",
        scope="file",
        config_key="python-env",
    ),
    LintOption(
        "select",
        ("--select",),
        "list",
        "Only these rule codes or prefixes (comma-separated; ALL: every rule).",
        scope="file",
        config_key="select",
        per_path=True,
    ),
    LintOption(
        "ignore",
        ("--ignore",),
        "list",
        "Skip these rule codes or prefixes (comma-separated).",
        scope="file",
        config_key="ignore",
        per_path=True,
    ),
    LintOption(
        "strict", ("--strict",), "flag", "Warnings fail the run too.", default=False, scope="file", config_key="strict"
    ),
    LintOption(
        "max_file_bytes", ("--max-file-bytes",), "int", "Refuse larger files (LC005); default 10 MiB.", scope="file"
    ),
    LintOption(
        "gpu_memory",
        ("--gpu-memory",),
        "value",
        "Memory per GPU for the VRAM check (LC501), e.g. 24GB.",
        scope="file",
        setting="gpu_memory_gib",
        config_key="gpu-memory",
    ),
    LintOption(
        "gpus",
        ("--gpus",),
        "anyint",
        "GPUs the run uses (memory and batch heuristics).",
        scope="file",
        config_key="gpus",
    ),
    LintOption("verbose", ("--verbose", "-v"), "flag", "List every file checked.", default=False),
    LintOption("fix", ("--fix",), "flag", "Apply the safe fixes in place, then report what is left.", default=False),
    LintOption("diff", ("--diff",), "flag", "Print the safe fixes as a diff; change nothing.", default=False),
    LintOption("config", ("--config",), "path", "Use this lorachecks.toml / pyproject.toml for every file."),
    LintOption("isolated", ("--isolated",), "flag", "Ignore project configuration files.", default=False),
    LintOption("jobs", ("--jobs", "-j"), "int", "Worker processes. Default: decided from the file count.", scope="run"),
    LintOption(
        "cache",
        ("--cache",),
        "switch",
        "Reuse results of unchanged files (.lorachecks_cache/; never for path checks). Default: off.",
        negative="--no-cache",
        scope="run",
    ),
    LintOption("cache_dir", ("--cache-dir",), "path", "Where --cache keeps results (implies --cache).", scope="run"),
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
        scope="file",
        config_key="yamllint",
        per_path=True,
    ),
)
FILE_OPTIONS = tuple(o for o in LINT_OPTIONS if o.scope == "file")
# `fix` takes every lint option but these: it always fixes, and caches nothing.
NOT_FOR_FIX = frozenset({"fix", "stdin_filename", *(o.param for o in LINT_OPTIONS if o.scope == "run")})


def camel(param: str) -> str:
    """The language server's name of an option: ``launch_dir`` -> ``launchDir``."""
    head, *rest = param.split("_")
    return head + "".join(part.capitalize() for part in rest)

"""The command line: exit codes, output shapes, rules and explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.rules import all_rules
from tests.conftest import BASE, ROOT

runner = CliRunner()


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path, BASE, "good.yaml")
    bad = write(tmp_path, BASE + "lora_rnak: 8\n", "bad.yaml")
    warn = write(tmp_path, BASE + "resize_vocab: true\n", "warn.yaml")
    assert runner.invoke(app, ["lint", "--no-path-checks", good]).exit_code == 0
    assert runner.invoke(app, ["lint", "--no-path-checks", bad]).exit_code == 1
    assert runner.invoke(app, ["lint", "--no-path-checks", warn]).exit_code == 0
    assert runner.invoke(app, ["lint", "--no-path-checks", "--strict", warn]).exit_code == 1
    assert runner.invoke(app, ["lint", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert runner.invoke(app, ["lint", "--format", "xml", good]).exit_code == 2
    assert runner.invoke(app, ["lint", "--input-format", "nope", good]).exit_code == 2


def test_json_output_shape(tmp_path: Path) -> None:
    bad = write(tmp_path, BASE + "lora_rnak: 8\n")
    result = runner.invoke(app, ["lint", "--no-path-checks", "--format", "json", bad])
    document = json.loads(result.stdout)
    assert document["version"] == 1
    [diag] = document["diagnostics"]
    assert set(diag) == {"path", "line", "column", "code", "severity", "message", "key", "hint"}
    assert (diag["code"], diag["line"], diag["key"], diag["severity"]) == ("LC101", 9, "lora_rnak", "error")
    assert document["summary"]["errors"] == 1 and document["summary"]["checked"] == 1


def test_select_and_ignore(tmp_path: Path) -> None:
    bad = write(tmp_path, BASE + "lora_rnak: 8\nlr_scheduler_type: cosin\n")
    only = runner.invoke(app, ["lint", "--no-path-checks", "-f", "json", "--select", "LC105", bad])
    assert [d["code"] for d in json.loads(only.stdout)["diagnostics"]] == ["LC105"]
    rest = runner.invoke(app, ["lint", "--no-path-checks", "-f", "json", "--ignore", "LC1", bad])
    assert json.loads(rest.stdout)["diagnostics"] == []


def test_text_output_shows_location_line_and_hint(tmp_path: Path) -> None:
    bad = write(tmp_path, BASE + "lora_rnak: 8\n")
    out = runner.invoke(app, ["lint", "--no-path-checks", bad]).stdout
    assert f"{bad}:9:1: LC101 error unknown key `lora_rnak`" in out
    assert "lora_rnak: 8" in out and "hint: did you mean `lora_rank`?" in out


def test_rules_and_explain() -> None:
    listing = runner.invoke(app, ["rules"]).stdout
    assert all(rule.code in listing for rule in all_rules())
    explained = runner.invoke(app, ["explain", "LC101"])
    assert explained.exit_code == 0 and "Why it matters" in explained.stdout
    assert runner.invoke(app, ["explain", "unknown-key"]).exit_code == 0
    assert runner.invoke(app, ["explain", "LC999"]).exit_code == 2


def test_every_rule_documents_why_and_example() -> None:
    seen = set()
    for rule in all_rules():
        assert rule.code not in seen
        seen.add(rule.code)
        assert "Why it matters" in rule.doc and "Example" in rule.doc, rule.code


def test_python_dash_m_and_examples_folder() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lorachecks", "lint", "-f", "json", "examples/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    by_file: dict[str, set[str]] = {}
    for diag in document["diagnostics"]:
        by_file.setdefault(Path(diag["path"]).name, set()).add(diag["code"])
    assert "valid_qwen3_lora_sft.yaml" not in by_file
    assert {"LC101", "LC102", "LC104", "LC105", "LC106"} <= by_file["broken_typos_and_types.yaml"]
    assert {"LC201", "LC205", "LC340", "LC341", "LC344"} <= by_file["broken_conflicts.yaml"]


def test_reader_closing_the_pipe_early_is_not_a_traceback() -> None:
    # `lorachecks lint . | head`: the reader goes away before the report is written.
    for command in (["lint", "examples"], ["rules"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "lorachecks", *command],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        error = process.stderr.read().decode()
        assert process.wait(timeout=60) == 1  # the same for the fast lint path and typer's commands
        assert "Traceback" not in error, error


def test_version_and_short_help_on_every_command() -> None:
    from lorachecks import __version__

    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.stdout.strip() == f"lorachecks {__version__}"
    assert runner.invoke(app, ["-h"]).exit_code == 0
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        result = runner.invoke(app, [name, "-h"])
        assert result.exit_code == 0 and "Usage:" in result.stdout, name


def test_fix_takes_the_lint_options_with_the_same_meaning(tmp_path: Path) -> None:
    """One declaration (lorachecks/core/options.py): `fix --launch-dir` exists, as its hint says."""
    import typer.core
    import typer.main

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    lint_options = {p.name: (p.opts, p.help) for p in commands["lint"].params if isinstance(p, typer.core.TyperOption)}
    fix_options = {p.name: (p.opts, p.help) for p in commands["fix"].params if isinstance(p, typer.core.TyperOption)}
    assert fix_options and all(lint_options[name] == value for name, value in fix_options.items())
    assert "launch_dir" in fix_options and "fix" not in fix_options
    config = write(tmp_path, BASE + "lora_rnak: 8\n")
    fixed = runner.invoke(app, ["fix", "--no-path-checks", "--launch-dir", str(tmp_path), config])
    assert fixed.exit_code == 0, fixed.output
    assert "lora_rank: 8" in Path(config).read_text()


# One meaning per option: the command line, a project file and the language server convert a
# value with the same code (lorachecks/engine/option_values.py), so a bad value gets the same problem.
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("select", "LC999"),
        ("ignore", "E501"),
        ("gpus", 0),
        ("gpu-memory", "lots"),
        ("format", "axolotl"),
        ("llamafactory-version", "new"),
        ("transformers-version", "x"),
        ("kohya-script", "train_everything"),
    ],
)
def test_a_bad_value_is_refused_alike_on_the_command_line_and_in_the_project_file(
    tmp_path: Path, option: str, value: object
) -> None:
    from lorachecks.core.options import LINT_OPTIONS

    flag = next(o.flags[0] for o in LINT_OPTIONS if o.config_key == option)
    config = write(tmp_path, BASE)
    on_command_line = runner.invoke(app, ["lint", "--isolated", flag, str(value), config])
    (tmp_path / "lorachecks.toml").write_text(f"{option} = {json.dumps(value)}\n", encoding="utf-8")
    in_file = runner.invoke(app, ["lint", config])
    assert on_command_line.exit_code == in_file.exit_code == 2
    problem = on_command_line.stderr.split(f"{flag}: ", 1)[1]
    assert in_file.stderr.split(f"`{option}` ", 1)[1] == problem


def test_select_all_means_every_rule_everywhere(tmp_path: Path) -> None:
    config = write(tmp_path, BASE + "lora_rnak: 8\n")
    plain = runner.invoke(app, ["lint", "--no-path-checks", "--format", "json", config])
    selected = runner.invoke(app, ["lint", "--no-path-checks", "--select", "ALL", "--format", "json", config])
    (tmp_path / "lorachecks.toml").write_text('select = ["ALL"]\n', encoding="utf-8")
    from_file = runner.invoke(app, ["lint", "--no-path-checks", "--format", "json", config])
    assert plain.exit_code == selected.exit_code == from_file.exit_code == 1
    assert (
        json.loads(plain.stdout)["files"]
        == json.loads(selected.stdout)["files"]
        == json.loads(from_file.stdout)["files"]
    )


def test_project_file_keys_and_client_options_are_the_lint_options() -> None:
    from lorachecks.core.options import LINT_OPTIONS, camel
    from lorachecks.core.records import fields
    from lorachecks.core.settings import Settings
    from lorachecks.engine import config
    from lorachecks.lsp.session import CLIENT_OPTIONS

    assert {o.field for o in LINT_OPTIONS if o.scope != "command" and o.param != "cache"} <= set(fields(Settings))
    keyed = [o.config_key for o in LINT_OPTIONS if o.config_key]
    assert list(config._TOP_KEYS) == [*keyed, "severity", "per-path"]
    assert set(CLIENT_OPTIONS) == {camel(o.param) for o in LINT_OPTIONS if o.scope == "file"}
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert all(f"\n{key} = " in documented for key in keyed)
    editors = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    assert [name for name in CLIENT_OPTIONS if f"`{name}`" not in editors] == []


def test_an_option_other_commands_share_with_lint_is_lints_option() -> None:
    import typer.core
    import typer.main

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    lint = {flag: p.help for p in commands["lint"].params for flag in p.opts}
    shared = []
    for name, command in commands.items():
        for param in command.params:
            if not isinstance(param, typer.core.TyperOption):
                continue
            for flag in param.opts:
                # --format: every command's output format, each with its own choices.
                if flag in lint and flag not in ("--format", "-f"):
                    shared.append((name, flag))
                    assert param.help == lint[flag], (name, flag)
    assert (
        ("estimate", "--gpus") in shared and ("dry-run", "--launch-dir") in shared and ("fix", "--launch-dir") in shared
    )

"""`lorachecks lint -`: the text of an unsaved buffer, read from standard input (ruff's convention)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASE, ROOT

LINT = [sys.executable, "-m", "lorachecks", "lint"]


def lint_stdin(text: str | bytes, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    data = text.encode() if isinstance(text, str) else text
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout, from any working directory
    return subprocess.run([*LINT, *args], input=data, capture_output=True, cwd=cwd, env=env, timeout=60)


def diagnostics(done: subprocess.CompletedProcess[bytes]) -> list[tuple[str, int, int, str]]:
    document = json.loads(done.stdout)
    return [(d["path"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]]


@pytest.mark.parametrize("typer_path", [False, True])
def test_buffer_is_linted_under_its_given_name(tmp_path: Path, typer_path: bool) -> None:
    # An option only typer parses (-v) sends the line through the typer app; both must agree.
    extra = ["-v"] if typer_path else []
    done = lint_stdin(
        BASE + "lora_rnak: 8\n", "-", "--stdin-filename", "configs/train.yaml", "--no-path-checks", "-f", "json", *extra
    )
    assert done.returncode == 1, done.stderr
    assert diagnostics(done) == [("configs/train.yaml", 9, 1, "LC101")]


def test_format_is_guessed_without_a_name() -> None:
    kohya = lint_stdin('[network_arguments]\nnetwork_dim = "8"\n', "-", "--no-path-checks", "-f", "json")
    assert diagnostics(kohya) == [("stdin.toml", 2, 15, "LC104")]
    yaml = lint_stdin(BASE + "lora_rnak: 8\n", "-", "--no-path-checks", "-f", "json")
    assert diagnostics(yaml) == [("stdin.yaml", 9, 1, "LC101")]


def test_clean_buffer_exits_zero_and_bad_bytes_get_a_diagnostic() -> None:
    assert lint_stdin(BASE, "-", "--no-path-checks").returncode == 0
    broken = lint_stdin(b"model_name_or_path: \xff\n", "-", "--no-path-checks", "-f", "json")
    assert broken.returncode == 1
    assert diagnostics(broken) == [("stdin.yaml", 1, 1, "LC004")]
    assert b"Traceback" not in broken.stderr


def test_fix_prints_the_fixed_text_and_reports_on_stderr() -> None:
    done = lint_stdin(BASE + "lora_rnak: 8\n", "-", "--fix", "--no-path-checks")
    assert done.returncode == 0
    assert done.stdout.decode() == BASE + "lora_rank: 8\n"
    assert b"0 error(s)" in done.stderr


def test_diff_prints_the_change_only() -> None:
    done = lint_stdin(BASE + "lora_rnak: 8\n", "-", "--diff", "--stdin-filename", "c.yaml", "--no-path-checks")
    assert done.returncode == 1
    assert "-lora_rnak: 8\n+lora_rank: 8\n" in done.stdout.decode()


def test_path_checks_resolve_from_the_launch_dir(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    text = BASE.replace("dataset: alpaca_en_demo", "dataset: mine\ndataset_dir: data")
    done = lint_stdin(text, "-", "--stdin-filename", "train.yaml", "-f", "json", "--select", "LC2", cwd=tmp_path)
    assert any(code.startswith("LC2") for *_, code in diagnostics(done)), done.stdout


def test_usage_errors() -> None:
    both = lint_stdin(BASE, "-", "README.md")
    assert both.returncode == 2 and b"standard input" in both.stderr
    named = lint_stdin(BASE, "README.md", "--stdin-filename", "x.yaml")
    assert named.returncode == 2 and b"--stdin-filename" in named.stderr

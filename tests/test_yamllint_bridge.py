"""LC700: yamllint's own findings on YAML configs, where the project uses yamllint; judged
against the yamllint command line on the same files."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.engine.config import project_settings
from lorachecks.engine.linter import lint_file
from lorachecks.lsp.session import Session
from tests.conftest import BASE

# Not imported here: importing yamllint changes PyYAML's resolvers process-wide (LC700 guards it).
pytestmark = pytest.mark.skipif(importlib.util.find_spec("yamllint") is None, reason="yamllint is not installed")

STYLE = BASE + "output_dir:   saves/a/rather/long/path/that/goes/on/and/on/past/sixty   \n"
CONFIG = "extends: default\nrules:\n  line-length: {max: 60}\n  document-start: disable\n"


def lorachecks_style(path: Path, **options: object) -> list[tuple[int, int, str, str]]:
    settings = Settings(path_checks=False, launch_dir=path.parent, **options)  # type: ignore[arg-type]
    resolved = project_settings(settings, list(options))(path)
    return [
        (d.line, d.column, d.severity.value, d.message)
        for d in lint_file(path, resolved).diagnostics
        if d.code == "LC700"
    ]


def yamllint_cli(path: Path) -> list[tuple[int, int, str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", path.name], capture_output=True, text=True, cwd=path.parent
    )
    found = []
    for line in done.stdout.splitlines():
        match = re.match(r"^.*?:(\d+):(\d+): \[(\w+)\] (.*) \(([\w-]+)\)$", line)
        assert match, line
        row, column, level, desc, rule = match.groups()
        found.append((int(row), int(column), level, f"[{rule}] {desc}"))
    return found


def test_findings_are_yamllints_own(tmp_path: Path) -> None:
    (tmp_path / ".yamllint").write_text(CONFIG)
    config = tmp_path / "train.yaml"
    config.write_text(STYLE)
    expected = yamllint_cli(config)
    assert {m.split("]")[0] for *_, m in expected} >= {"[line-length", "[colons", "[trailing-spaces"}
    assert lorachecks_style(config) == expected


def test_config_in_a_parent_folder_and_its_ignore_patterns(tmp_path: Path) -> None:
    (tmp_path / ".yamllint.yaml").write_text(CONFIG + "ignore: |\n  legacy/\n")
    (tmp_path / "configs").mkdir()
    (tmp_path / "legacy").mkdir()
    used = tmp_path / "configs" / "train.yaml"
    ignored = tmp_path / "legacy" / "train.yaml"
    used.write_text(STYLE)
    ignored.write_text(STYLE)
    assert lorachecks_style(used)
    assert lorachecks_style(ignored) == []


def test_off_without_a_yamllint_config_unless_asked(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(STYLE)
    assert lorachecks_style(config) == []
    asked = lorachecks_style(config, yamllint=True)  # yamllint's defaults
    assert any("[trailing-spaces]" in m for *_, m in asked)
    (tmp_path / ".yamllint").write_text(CONFIG)
    assert lorachecks_style(config, yamllint=False) == []


def test_project_setting_and_broken_yamllint_config(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(STYLE)
    (tmp_path / "lorachecks.toml").write_text("yamllint = true\n")
    assert any("[colons]" in m for *_, m in lorachecks_style(config))
    (tmp_path / ".yamllint").write_text("rules: [not, a, mapping\n")
    [broken] = lorachecks_style(config)
    assert broken[2] == "error" and "cannot read the yamllint configuration" in broken[3]


def test_the_language_server_shows_them(tmp_path: Path) -> None:
    (tmp_path / ".yamllint").write_text(CONFIG)
    path = tmp_path / "train.yaml"
    linted = Session([tmp_path], {"pathChecks": False}).lint(path, STYLE)  # unsaved: only in the buffer
    assert any(d.code == "LC700" and "[trailing-spaces]" in d.message for d in linted.result.diagnostics)


def test_running_yamllint_leaves_pyyaml_reading_as_the_trainers(tmp_path: Path) -> None:
    """yamllint's import adds a YAML 1.2 integer resolver to PyYAML; lint must not inherit it."""
    import yaml

    (tmp_path / ".yamllint").write_text(CONFIG)
    config = tmp_path / "train.yaml"
    config.write_text(STYLE)
    assert lorachecks_style(config)
    assert yaml.safe_load("seed: 0o17") == {"seed": "0o17"}  # PyYAML (YAML 1.1) reads text

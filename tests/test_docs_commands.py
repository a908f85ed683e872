"""Every shell command shown in README.md and docs/ (each line of a ```sh, ```bash, ```shell
or ```console block; a line ending in `\\` continues on the next) either runs as written,
from the repository root of a clone, without a usage error or a traceback, or is listed in
NOT_RUN with the reason it cannot run here (network, Docker, a GPU, the trainers' own
environments). A new command in the docs must do one or the other."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# docs/dryrun.md's commands need the dryrun extra and run in tests/test_dryrun_docs.py.
DRY_RUN_DOCS = ROOT / "docs" / "dryrun.md"

# Commands shown but not run by this test, by how they start, and why.
NOT_RUN: tuple[tuple[str, str], ...] = (
    (r"(python3 -m venv \S+ && )?(\S*/)?pip install ", "installs packages from PyPI (network)"),
    (r"docker (build|run) ", "needs Docker and an image registry"),
    (r"git clone ", "clones a repository from GitHub (network)"),
    (r"tools/setup_\w+_venv\.sh ", "builds a trainer's environment from PyPI (network)"),
    (
        r"(LORACHECKS_\w+=\S+ )+(\S*python|\.venv/bin/python) -m pytest ",
        "the differential suites: they need the trainers' environments (docs/differential.md)",
    ),
    (r"/work/lfvenv/bin/python ", "needs LLaMA-Factory's environment (the differential oracle)"),
    (r"\.venv/bin/python benchmarks/bench_lint\.py", "a benchmark: minutes of CPU over the shared corpus"),
)


def shown_commands() -> list[tuple[str, str]]:
    """(document, command) for every command line of a shell code block."""
    found = []
    for doc in DOCS:
        for language, block in re.findall(r"```(\w*)\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            if language not in ("sh", "bash", "console", "shell"):
                continue
            for line in re.sub(r"\\\n\s*", " ", block).splitlines():
                command = re.sub(r"(^|\s+)#(\s.*)?$", "", line.strip()).removeprefix("$ ")  # comments explain
                if command:
                    found.append((str(doc.relative_to(ROOT)), command))
    return found


def not_run(command: str) -> str | None:
    """Why ``command`` is not run here, or None when it runs."""
    return next((reason for pattern, reason in NOT_RUN if re.match(pattern, command)), None)


ALL_COMMANDS = shown_commands()
COMMANDS = [(doc, command) for doc, command in ALL_COMMANDS if command.startswith("lorachecks ")]
OTHER_COMMANDS = [(doc, command) for doc, command in ALL_COMMANDS if not command.startswith("lorachecks ")]


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) >= 25
    assert len(OTHER_COMMANDS) >= 10  # installs, CI images, the differential set-up
    assert any(not_run(command) is None for _, command in OTHER_COMMANDS)  # some run here too


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a command sees from the root of a clone: the tracked examples and schemas."""
    root = tmp_path_factory.mktemp("clone")
    for folder in ("examples", "schemas"):
        shutil.copytree(ROOT / folder, root / folder)
    if (ROOT / ".venv").is_dir():  # the README's set-up made it
        (root / ".venv").symlink_to(ROOT / ".venv")
    return root


@pytest.mark.parametrize(("doc", "command"), COMMANDS, ids=[f"{d}:{c[:60]}" for d, c in COMMANDS])
def test_command_runs_as_written(doc: str, command: str, clone: Path) -> None:
    dry_run_docs = DRY_RUN_DOCS.read_text(encoding="utf-8")
    if command.startswith("lorachecks dry-run") and command in dry_run_docs:
        pytest.skip("a docs/dryrun.md command: tests/test_dryrun_docs.py runs it")
    if command.startswith("lorachecks dry-run"):
        pytest.importorskip("torch")
    if "--python-env .venv" in command and not (clone / ".venv").exists():
        pytest.skip("needs the README's set-up (.venv at the repository root)")
    python = f'"{sys.executable}" -m lorachecks'
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["bash", "-c", python + command[len("lorachecks") :]],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1), f"{doc}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.mark.parametrize(("doc", "command"), OTHER_COMMANDS, ids=[f"{d}:{c[:60]}" for d, c in OTHER_COMMANDS])
def test_other_command_runs_as_written_or_says_why_not(doc: str, command: str, clone: Path) -> None:
    reason = not_run(command)
    if reason is not None:
        pytest.skip(reason)
    tool = command.split()[0]
    folder = Path(sys.executable).parent  # the tools installed beside this Python
    if shutil.which(tool, path=f"{folder}{os.pathsep}{os.environ.get('PATH', '')}") is None:
        pytest.skip(f"{tool} is not installed here")
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, f"{doc}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"

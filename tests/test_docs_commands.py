"""Every `lorachecks` command shown in README.md and docs/ runs as written, from the
repository root of a clone, without a usage error or a traceback."""

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


def shown_commands() -> list[tuple[str, str]]:
    """(document, command) for each `lorachecks ...` line of a shell code block."""
    found = []
    for doc in DOCS:
        for language, block in re.findall(r"```(\w*)\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            if language not in ("sh", "bash", "console", "shell"):
                continue
            for line in block.splitlines():
                command = re.sub(r"\s+#\s.*$", "", line.strip())  # the comment explains, it is not run
                if command.startswith("lorachecks "):
                    found.append((str(doc.relative_to(ROOT)), command))
    return found


COMMANDS = shown_commands()


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) >= 25


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

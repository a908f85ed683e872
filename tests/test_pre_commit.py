"""The pre-commit hooks, installed by the real pre-commit from a commit of this working tree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import BASE, ROOT

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout"),
]
IDENTITY = {
    "GIT_AUTHOR_NAME": "lorachecks tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "lorachecks tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **IDENTITY}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def snapshot_of_this_tree(dest: Path) -> Path:
    """Commit the working tree as it is now (tracked and new files, edits included) into a fresh repository."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return dest


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("pre_commit")
    env = {**os.environ, **IDENTITY, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_manifest_is_valid_and_declares_both_hooks(tmp_path: Path) -> None:
    proc = pre_commit(ROOT, tmp_path, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["lorachecks"]["entry"] == "lorachecks lint"
    assert hooks["lorachecks-dry-run"]["entry"] == "lorachecks dry-run"
    assert hooks["lorachecks-dry-run"]["stages"] == ["manual"]
    pattern = re.compile(hooks["lorachecks"]["files"])
    assert all(pattern.search(n) for n in ("a.yaml", "b/c.yml", "kohya.toml", "ds.json"))
    assert not any(pattern.search(n) for n in ("train.py", "README.md", "data.jsonl", "x.yaml.bak"))


def test_hook_blocks_a_broken_config_and_passes_a_good_one(tmp_path: Path) -> None:
    hooks_repo = snapshot_of_this_tree(tmp_path / "lorachecks")
    home = tmp_path / "pre-commit-home"
    user = tmp_path / "training-repo"
    (user / "configs").mkdir(parents=True)
    git(user, "init", "-q")
    (user / "configs" / "good.yaml").write_text(BASE)
    (user / "configs" / "bad.yaml").write_text(BASE + "lora_rnak: 8\n")
    (user / "train.py").write_text("print('not a config')\n")
    git(user, "add", "-A")

    good = pre_commit(user, home, "try-repo", str(hooks_repo), "lorachecks", "--files", "configs/good.yaml", "train.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    bad = pre_commit(user, home, "try-repo", str(hooks_repo), "lorachecks", "--files", "configs/bad.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "configs/bad.yaml:9:1: LC101 error unknown key `lora_rnak`" in bad.stdout

    # Installed as a git hook, the broken config cannot be committed; the good one can.
    rev = git(hooks_repo, "rev-parse", "HEAD").strip()
    config = {"repos": [{"repo": str(hooks_repo), "rev": rev, "hooks": [{"id": "lorachecks"}]}]}
    (user / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    assert pre_commit(user, home, "install").returncode == 0
    git(user, "reset", "-q")
    git(user, "add", ".pre-commit-config.yaml", "configs/bad.yaml")
    env = {**os.environ, **IDENTITY, "PRE_COMMIT_HOME": str(home)}
    blocked = subprocess.run(["git", "commit", "-m", "bad"], cwd=user, env=env, capture_output=True, text=True)
    assert blocked.returncode != 0
    assert "LC101" in blocked.stdout + blocked.stderr
    git(user, "reset", "-q")
    git(user, "add", ".pre-commit-config.yaml", "configs/good.yaml")
    passed = subprocess.run(["git", "commit", "-m", "good"], cwd=user, env=env, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert git(user, "ls-files").split() == [".pre-commit-config.yaml", "configs/good.yaml"]

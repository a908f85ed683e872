"""The per-run stat memo answers exactly as pathlib does, and only remembers inside a run."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from lorachecks.core import fsmemo
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_paths


def _outcome(call: object) -> object:
    try:
        return call()  # type: ignore[operator]
    except (OSError, ValueError) as exc:
        return (type(exc), str(exc), getattr(exc, "strerror", None), getattr(exc, "filename", None))


@pytest.mark.parametrize("scoped", [False, True])
def test_answers_match_pathlib(tmp_path: Path, scoped: bool) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    cases = [
        tmp_path / "folder",
        tmp_path / "file.txt",
        tmp_path / "missing",
        tmp_path / "file.txt" / "under-a-file",
        Path("nul\x00byte"),
    ]
    scope = fsmemo.run_scope() if scoped else None
    if scope is not None:
        scope.__enter__()
    try:
        for path in cases * 2:  # the second round is answered from the memo
            assert fsmemo.exists(path) == path.exists()
            assert fsmemo.is_dir(path) == path.is_dir()
            assert fsmemo.is_file(path) == path.is_file()
            assert _outcome(lambda p=path: fsmemo.stat(p).st_mode) == _outcome(lambda p=path: p.stat().st_mode)
    finally:
        if scope is not None:
            scope.__exit__(None, None, None)


def test_remembers_only_inside_a_run(tmp_path: Path) -> None:
    target = tmp_path / "later"
    with fsmemo.run_scope():
        assert not fsmemo.exists(target)
        target.mkdir()
        assert not fsmemo.exists(target)  # one run sees one answer
    assert fsmemo.exists(target)  # outside a run every call asks the OS
    with fsmemo.run_scope():
        assert fsmemo.is_dir(target)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads everything")
def test_permission_errors_raise_like_pathlib(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        with fsmemo.run_scope():
            with pytest.raises(PermissionError):
                fsmemo.exists(locked / "inside")
    finally:
        locked.chmod(0o755)


def test_a_run_leaves_no_reference_cycles(tmp_path: Path) -> None:
    """Remembered misses keep no exception (its traceback would hold every frame alive)."""
    config = tmp_path / "train.yaml"
    config.write_text(
        "model_name_or_path: org/model\nstage: sft\ndo_train: true\nfinetuning_type: lora\n"
        "dataset: missing_dataset\noutput_dir: saves/run/lora\n"
    )
    list(lint_paths([config], Settings(launch_dir=tmp_path)))  # first run: rule imports
    gc.collect()
    gc.disable()
    try:
        list(lint_paths([config], Settings(launch_dir=tmp_path)))
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_remember_computes_once_per_run_only() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert fsmemo.remember("k", compute) == 1
    assert fsmemo.remember("k", compute) == 2  # no run: always computed
    with fsmemo.run_scope():
        assert fsmemo.remember("k", compute) == 3
        assert fsmemo.remember("k", compute) == 3
        assert fsmemo.remember("other", compute) == 4
    with fsmemo.run_scope():
        assert fsmemo.remember("k", compute) == 5  # a new run asks again

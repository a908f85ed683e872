"""`lorachecks dry-run --nproc 2` on the CPU: torchrun, gloo, DDP or FSDP as the config says,
with each rank's numbers in the report (the bundled tiny model, random weights)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

EXAMPLE = ROOT / "examples" / "dryrun" / "llamafactory_lora_sft.yaml"


def dry_run(config: Path, *extra: str) -> tuple[int, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the ranks import this checkout too
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lorachecks",
            "dry-run",
            "--init",
            "random",
            "--nproc",
            "2",
            "--format",
            "json",
            *extra,
            "--launch-dir",
            str(ROOT),
            str(config),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def variant(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "train.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_ddp_on_two_cpu_processes() -> None:
    code, report = dry_run(EXAMPLE)
    assert code == 0, report["diagnostics"]
    distributed = report["distributed"]
    assert isinstance(distributed, dict) and distributed["engine"] == "ddp" and distributed["world_size"] == 2
    ranks = distributed["ranks"]
    assert [r["rank"] for r in ranks] == [0, 1] and all(r["ok"] for r in ranks)
    # DDP: every rank holds the whole adapter; the count is the one-process dry-run's.
    assert {r["trainable_params"] for r in ranks} == {r["local_trainable_params"] for r in ranks} == {16_384}
    assert all(r["peak_memory"] > 0 for r in ranks)


def test_fsdp_shards_the_adapter_across_ranks(tmp_path: Path) -> None:
    code, report = dry_run(variant(tmp_path, "fsdp: full_shard auto_wrap\n"))
    assert code == 0, report["diagnostics"]
    ranks = report["distributed"]["ranks"]  # type: ignore[index]
    assert all(r["engine"] == "fsdp" and r["shards"] == 3 for r in ranks)  # 2 decoder layers + the root
    assert sum(r["local_trainable_params"] for r in ranks) == 16_384  # each rank holds its half
    # llamafactory-cli train under torchrun on the CPU stops here (accelerate's FSDP needs an accelerator)
    import torch

    on_cpu = not torch.cuda.is_available()
    assert any("FSDP on the CPU" in note for note in report["notes"]) == on_cpu  # type: ignore[union-attr]


def test_deepspeed_batch_sizes_that_do_not_add_up(tmp_path: Path) -> None:
    ds = tmp_path / "ds.json"
    ds.write_text(
        json.dumps({"train_batch_size": 16, "train_micro_batch_size_per_gpu": 2, "gradient_accumulation_steps": 1})
    )
    code, report = dry_run(variant(tmp_path, f"deepspeed: {ds}\n"))
    codes = [d["code"] for d in report["diagnostics"]]  # type: ignore[union-attr]
    assert code == 1 and "DR307" in codes
    ds.write_text(json.dumps({"train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto"}))
    code, report = dry_run(variant(tmp_path, f"deepspeed: {ds}\n"))
    assert code == 0, report["diagnostics"]
    if not any(d["code"] == "DR002" for d in report["diagnostics"]):  # type: ignore[union-attr]
        pytest.fail("DeepSpeed ran without saying whether ZeRO itself ran")


def test_meta_is_not_quietly_run_on_the_cpu() -> None:
    code, report = dry_run(EXAMPLE, "--device", "meta")
    [finding] = [d for d in report["diagnostics"] if d["code"] == "DR002"]  # type: ignore[union-attr]
    assert code == 1 and "--device meta" in finding["message"] and report["distributed"] is None

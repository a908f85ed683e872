"""`lorachecks dry-run --nproc 2` with a DeepSpeed file: ZeRO-2 and ZeRO-3 run by DeepSpeed itself
on the CPU (gloo), the file filled in and checked by transformers' DeepSpeed integration.

The ZeRO runs need an interpreter with deepspeed installed (it is not a dependency of the
project): LORACHECKS_DEEPSPEED_PYTHON names it, e.g. a venv made with
`python -m venv v && v/bin/pip install torch transformers peft accelerate deepspeed`. The first
run on a machine compiles DeepSpeed's shared-memory collective for the CPU (about 90 s on two
cores; cached in ~/.cache/torch_extensions). Without it these tests skip, saying why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lorachecks.dryrun.zero import from_json, to_json, zero_args
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "dryrun" / "llamafactory_lora_sft.yaml"
DEEPSPEED_PYTHON = os.environ.get("LORACHECKS_DEEPSPEED_PYTHON")
TRAINABLE = 16_384  # the bundled tiny model's LoRA (lora_target: all, rank 8), as one process counts it


def test_zero_args_take_the_configs_values_and_the_trainers_defaults() -> None:
    args = zero_args(
        {"per_device_train_batch_size": 2, "learning_rate": 1, "bf16": True, "max_grad_norm": "x", "fp16": 1},
        "/ds.json",
        4,
    )
    assert args.per_device_train_batch_size == 2 and args.world_size == 4 and args.config == "/ds.json"
    assert args.learning_rate == 1.0 and isinstance(args.learning_rate, float)  # YAML `1` is the float 1.0
    assert args.bf16 is True and args.fp16 is False  # `fp16: 1` is not a boolean: lint reports it, the default stays
    assert args.max_grad_norm == 1.0 and args.gradient_accumulation_steps == 1 and args.adam_epsilon == 1e-8
    assert from_json(to_json(args)) == args


def zero_file(tmp_path: Path, stage: int, **extra: object) -> Path:
    """A DeepSpeed file as LLaMA-Factory's examples write them: every trainer value "auto"."""
    zero: dict[str, object] = {"stage": stage, "overlap_comm": False, "reduce_bucket_size": "auto"}
    if stage == 3:
        zero |= {"stage3_prefetch_bucket_size": "auto", "stage3_param_persistence_threshold": "auto"}
    config: dict[str, object] = {
        "train_batch_size": "auto",
        "train_micro_batch_size_per_gpu": "auto",
        "gradient_accumulation_steps": "auto",
        "gradient_clipping": "auto",
        "zero_allow_untested_optimizer": True,
        "bf16": {"enabled": "auto"},
        "zero_optimization": zero,
    }
    for key, value in extra.items():
        (config["zero_optimization"] if key.startswith("stage3_") else config)[key] = value  # type: ignore[index]
    path = tmp_path / f"ds_z{stage}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def dry_run(tmp_path: Path, ds: Path) -> tuple[int, dict[str, object]]:
    if DEEPSPEED_PYTHON is None:
        pytest.skip("LORACHECKS_DEEPSPEED_PYTHON does not name an interpreter with deepspeed installed")
    config = tmp_path / "train.yaml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8") + f"deepspeed: {ds}\n", encoding="utf-8")
    command = [DEEPSPEED_PYTHON, "-m", "lorachecks", "dry-run", "--init", "random", "--nproc", "2"]
    done = subprocess.run(
        [*command, "--format", "json", "--launch-dir", str(ROOT), str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # the ranks import this checkout too
        timeout=900,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("stage", [2, 3])
def test_zero_partitions_as_deepspeed_does(tmp_path: Path, stage: int) -> None:
    code, report = dry_run(tmp_path, zero_file(tmp_path, stage))
    assert code == 0, report["diagnostics"]
    ranks = report["distributed"]["ranks"]  # type: ignore[index]
    assert [r["rank"] for r in ranks] == [0, 1] and all(r["ok"] and r["engine"] == f"zero{stage}" for r in ranks)
    assert all(r["trainable_params"] == TRAINABLE for r in ranks)  # the whole adapter, as one process counts it
    if stage == 3:  # each rank keeps its partition of every trainable tensor (the adapter's 28 here)
        assert sum(r["local_trainable_params"] for r in ranks) == TRAINABLE
        assert all(r["shards"] == 28 for r in ranks)
    else:  # ZeRO-2 partitions gradients and optimizer states; every rank holds the whole parameters
        assert all(r["local_trainable_params"] == TRAINABLE and r["shards"] == 0 for r in ranks)
    assert all(r["peak_memory"] > 0 and r["losses"][0] > 0 for r in ranks)
    assert ranks[0]["losses"] == ranks[1]["losses"]  # one data-parallel model: the same loss everywhere


def test_an_option_deepspeed_refuses_is_reported_at_the_deepspeed_key(tmp_path: Path) -> None:
    ds = zero_file(tmp_path, 3, stage3_prefetch_bucket=5)  # misspelt stage3_prefetch_bucket_size
    code, report = dry_run(tmp_path, ds)
    [finding] = [d for d in report["diagnostics"] if d["code"] == "DR310"]  # type: ignore[union-attr]
    assert code == 1 and finding["key"] == "deepspeed" and "stage3_prefetch_bucket" in finding["message"]
    assert finding["message"].startswith("every rank: DeepSpeed refused the file")


def test_a_fixed_value_that_contradicts_the_config_stops_as_in_the_trainer(tmp_path: Path) -> None:
    code, report = dry_run(tmp_path, zero_file(tmp_path, 2, gradient_clipping=0.5))  # the config's max_grad_norm: 1.0
    [finding] = [d for d in report["diagnostics"] if d["code"] == "DR310"]  # type: ignore[union-attr]
    assert code == 1 and "gradient_clipping=0.5" in finding["message"] and "max_grad_norm=1.0" in finding["message"]


LF_DEEPSPEED_VENV = os.environ.get("LORACHECKS_LF_DEEPSPEED_VENV")


@pytest.mark.parametrize(
    ("stage", "extra", "trains"),
    [(2, {}, True), (3, {}, True), (3, {"stage3_prefetch_bucket": 5}, False), (2, {"gradient_clipping": 0.5}, False)],
    ids=["zero2", "zero3", "zero3-unknown-option", "zero2-contradicting-clipping"],
)
def test_same_verdict_and_count_as_llamafactory_under_torchrun(
    tmp_path: Path, stage: int, extra: dict[str, object], trains: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`llamafactory-cli train` with FORCE_TORCHRUN=1 on 2 CPU processes, against the dry-run.
    LORACHECKS_LF_DEEPSPEED_VENV: a venv with llamafactory and deepspeed (bin/llamafactory-cli,
    bin/torchrun); the model gets random weights saved from the example's config.json."""
    if LF_DEEPSPEED_VENV is None:
        pytest.skip("LORACHECKS_LF_DEEPSPEED_VENV does not name a venv with llamafactory and deepspeed")
    from tests.differential import harness

    venv = Path(LF_DEEPSPEED_VENV)
    ds = zero_file(tmp_path, stage, **extra)
    code, report = dry_run(tmp_path, ds)
    model = tmp_path / "model"
    shutil.copytree(EXAMPLE.parent / "tiny-llama3", model)
    build = "import sys,torch,transformers as t; torch.manual_seed(0); p=sys.argv[1]; "
    build += "t.AutoModelForCausalLM.from_config(t.AutoConfig.from_pretrained(p)).save_pretrained(p)"
    subprocess.run([str(venv / "bin" / "python"), "-c", build, str(model)], check=True, capture_output=True)
    config = tmp_path / "lf" / "train.yaml"
    config.parent.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8").replace("examples/dryrun/tiny-llama3", str(model))
    text = text.replace("examples/dryrun/data", str(EXAMPLE.parent / "data"))
    text = text.replace("saves/tiny-llama3/lora/sft", str(tmp_path / "out"))
    config.write_text(text + f"max_steps: 1\nsave_strategy: 'no'\ndeepspeed: {ds}\n", encoding="utf-8")
    monkeypatch.setattr(harness, "LF_TIMEOUT", 900.0)
    launch = {"FORCE_TORCHRUN": "1", "NPROC_PER_NODE": "2", "DS_ACCELERATOR": "cpu"}
    lf = harness.run_lf(venv, config, harness.lf_environment(venv, tmp_path / "home", launch))
    assert lf.outcome == (harness.TRAINED if trains else harness.REFUSED), lf.tail[-2000:]
    assert (code == 0) == trains, report["diagnostics"]
    if trains:
        assert lf.trainable == report["trainable_params"] == TRAINABLE
    else:
        [finding] = [d for d in report["diagnostics"] if d["code"] == "DR310"]  # type: ignore[union-attr]
        assert lf.error.split(":")[0] in ("ValueError", "ValidationError") and finding["key"] == "deepspeed"

"""Each defect in "What LLaMA-Factory 0.9.5 rejects" (shared/reference/README.md) is an
error at the right line and key; the defects it accepts are never errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import LintText

GOOD = """\
model_name_or_path: ./models/tiny
stage: sft
do_train: true
finetuning_type: lora
lora_target: all
dataset: demo
template: default
output_dir: out
per_device_train_batch_size: 1
gradient_accumulation_steps: 1
learning_rate: 1.0e-4
bf16: true
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    (tmp_path / "models" / "tiny" / "config.json").write_text(
        json.dumps({"model_type": "llama", "max_position_embeddings": 256})
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo.json").write_text("[]")
    (tmp_path / "data" / "dataset_info.json").write_text(json.dumps({"demo": {"file_name": "demo.json"}}))
    (tmp_path / "nodata").mkdir()
    return tmp_path


def edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


# (defect, config, code, key the diagnostic must name, line it must point at)
REJECTED = [
    ("unknown key", GOOD + "lora_rnak: 8\n", "LC101", "lora_rnak", 13),
    ("camelCase key", GOOD + "loraRank: 8\n", "LC101", "loraRank", 13),
    ("renamed key", GOOD + "evaluation_strategy: steps\n", "LC102", "evaluation_strategy", 13),
    ("no dataset with do_train", edit("dataset: demo\n", ""), "LC103", "dataset", 1),
    ("no model", edit("model_name_or_path: ./models/tiny\n", ""), "LC103", "model_name_or_path", 1),
    ("unregistered template", edit("template: default", "template: qwen2"), "LC105", "template", 7),
    ("dataset not in dataset_info", edit("dataset: demo", "dataset: demoo"), "LC203", "dataset", 6),
    ("dataset_dir without dataset_info.json", GOOD + "dataset_dir: nodata\n", "LC203", "dataset_dir", 13),
    ("bad stage", edit("stage: sft", "stage: sfft"), "LC105", "stage", 2),
    ("bad finetuning_type", edit("finetuning_type: lora", "finetuning_type: lorra"), "LC105", "finetuning_type", 4),
    ("lora_target the model lacks", edit("lora_target: all", "lora_target: c_attn"), "LC209", "lora_target", 5),
    ("model path missing", edit("./models/tiny", "./models/gone"), "LC201", "model_name_or_path", 1),
    (
        "quantization with full",
        edit("finetuning_type: lora", "finetuning_type: full") + "quantization_bit: 4\n",
        "LC341",
        "quantization_bit",
        13,
    ),
    (
        "batch size 0",
        edit("per_device_train_batch_size: 1", "per_device_train_batch_size: 0"),
        "LC106",
        "per_device_train_batch_size",
        9,
    ),
    (
        "accumulation 0",
        edit("gradient_accumulation_steps: 1", "gradient_accumulation_steps: 0"),
        "LC106",
        "gradient_accumulation_steps",
        10,
    ),
    ("lora_rank 0", GOOD + "lora_rank: 0\n", "LC106", "lora_rank", 13),
    ("invalid scheduler", GOOD + "lr_scheduler_type: cosin\n", "LC105", "lr_scheduler_type", 13),
    ("invalid optim", GOOD + "optim: adam\n", "LC105", "optim", 13),
    ("invalid report_to", GOOD + "report_to: wandbb\n", "LC105", "report_to", 13),
    ("max_steps as a word", GOOD + 'max_steps: "ten"\n', "LC104", "max_steps", 13),
    ("lora_alpha as a word", GOOD + "lora_alpha: sixteen\n", "LC104", "lora_alpha", 13),
    ("negative learning rate", edit("learning_rate: 1.0e-4", "learning_rate: -1.0e-4"), "LC106", "learning_rate", 11),
    ("eval without eval data", GOOD + "eval_strategy: steps\n", "LC346", "eval_strategy", 13),
    ("fp16 and bf16", GOOD + "fp16: true\n", "LC340", "bf16", 12),
    ("deepspeed file missing", GOOD + "deepspeed: ds_z3.json\n", "LC206", "deepspeed", 13),
]


@pytest.mark.parametrize(("defect", "text", "code", "key", "line"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_defect_is_an_error_at_its_key(
    lint_text: LintText, root: Path, defect: str, text: str, code: str, key: str, line: int
) -> None:
    result = lint_text(text, path_checks=True, launch_dir=root)
    matches = [d for d in result.diagnostics if d.code == code and d.key == key]
    assert matches, (defect, result.diagnostics)
    assert matches[0].severity.value == "error"
    assert matches[0].line == line


def test_the_good_config_is_clean(lint_text: LintText, root: Path) -> None:
    result = lint_text(GOOD, path_checks=True, launch_dir=root)
    assert [d for d in result.diagnostics if d.severity.value != "info"] == []


@pytest.mark.parametrize(
    "extra", ["val_size: 1.5\n", "cutoff_len: 100000\n", "lora_rank: 512\n", "trust_remote_code: true\n"]
)
def test_accepted_defects_are_never_errors(lint_text: LintText, root: Path, extra: str) -> None:
    result = lint_text(GOOD + extra, path_checks=True, launch_dir=root)
    assert [d for d in result.diagnostics if d.severity.value == "error"] == []

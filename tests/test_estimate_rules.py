"""LC5xx: memory budget and training-plan heuristics, on LLaMA-Factory files and SD mappings."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lorachecks.core.diagnostics import Severity
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import FileResult, lint_file
from lorachecks.loader import load_text
from lorachecks.rules import rule_by_code
from lorachecks.rules.context import Finding, RuleContext

LLAMA = """\
model_name_or_path: meta-llama/Llama-2-7b-hf
stage: sft
do_train: true
finetuning_type: lora
dataset: mine
dataset_dir: data
template: llama2
output_dir: saves/x
bf16: true
cutoff_len: 1024
per_device_train_batch_size: 1
gradient_accumulation_steps: 4
learning_rate: 1.0e-4
num_train_epochs: 3.0
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "dataset_info.json").write_text(
        json.dumps({"mine": {"file_name": "mine.jsonl"}, "tiny": {"file_name": "tiny.json"}})
    )
    (data / "mine.jsonl").write_text(
        "".join(json.dumps({"instruction": f"q{i}", "output": "a"}) + "\n" for i in range(400))
    )
    (data / "tiny.json").write_text(json.dumps([{"instruction": f"q{i}", "output": "a"} for i in range(12)]))
    return tmp_path


def lint(project: Path, text: str, **options: Any) -> FileResult:
    path = project / "c.yaml"
    path.write_text(text)
    options.setdefault("launch_dir", project)
    return lint_file(path, Settings(**options))


def lc5(result: FileResult) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for d in result.diagnostics:
        if d.code.startswith("LC5"):
            found.setdefault(d.code, []).append(d)
    return found


def test_clean_plan_has_no_heuristic_findings(project: Path) -> None:
    assert lc5(lint(project, LLAMA, gpu_memory_gib=80)) == {}


def test_lc501_over_budget_is_an_error_with_the_breakdown(project: Path) -> None:
    [diag] = lc5(lint(project, LLAMA.replace("finetuning_type: lora", "finetuning_type: full"), gpu_memory_gib=24))[
        "LC501"
    ]
    assert diag.severity is Severity.ERROR and diag.line == 1 and "does not fit" in diag.message
    assert diag.hint is not None and "weights" in diag.hint and "optimizer" in diag.hint and "catalogue" in diag.hint


def test_lc501_advice_leaves_out_what_the_config_does_already(project: Path) -> None:
    [lora] = lc5(lint(project, LLAMA, gpu_memory_gib=4))["LC501"]
    assert lora.hint is not None and "QLoRA (quantization_bit: 4)" in lora.hint
    qlora = LLAMA.replace("finetuning_type: lora", "finetuning_type: lora\nquantization_bit: 4")
    [diag] = lc5(lint(project, qlora, gpu_memory_gib=1))["LC501"]
    assert diag.hint is not None and "QLoRA" not in diag.hint and "cutoff_len" in diag.hint
    full = LLAMA.replace("finetuning_type: lora", "finetuning_type: full")
    [diag] = lc5(lint(project, full, gpu_memory_gib=4))["LC501"]
    assert diag.hint is not None and "LoRA (finetuning_type: lora)" in diag.hint


def test_lc501_within_ten_percent_is_a_warning_and_no_budget_is_silent(project: Path) -> None:
    import yaml

    from lorachecks.estimate import estimate_llm

    total = estimate_llm(yaml.safe_load(LLAMA), project).total_gib
    assert total is not None
    [diag] = lc5(lint(project, LLAMA, gpu_memory_gib=total * 1.05))["LC501"]
    assert diag.severity is Severity.WARNING
    assert "LC501" not in lc5(lint(project, LLAMA))
    [note] = lc5(lint(project, LLAMA.replace("meta-llama/Llama-2-7b-hf", "acme/x"), gpu_memory_gib=1))["LC501"]
    assert note.severity is Severity.INFO and "no memory estimate" in note.message and "acme/x" in note.message


def test_lc501_more_gpus_with_zero3_fit(project: Path) -> None:
    full = (
        LLAMA.replace("finetuning_type: lora", "finetuning_type: full") + "deepspeed: {zero_optimization: {stage: 3}}\n"
    )
    assert "LC501" in lc5(lint(project, full, gpu_memory_gib=40, gpus=1))
    assert "LC501" not in lc5(lint(project, full, gpu_memory_gib=40, gpus=8))


def test_lc502_high_rank_on_few_examples(project: Path) -> None:
    text = LLAMA.replace("dataset: mine", "dataset: tiny") + "lora_rank: 128\nlora_alpha: 256\n"
    found = lc5(lint(project, text))
    assert "LC502" in found and "12 examples" in found["LC502"][0].message
    assert "LC502" not in lc5(lint(project, LLAMA + "lora_rank: 64\n"))  # 400 examples: up to 64
    assert "LC502" not in lc5(lint(project, text, path_checks=False))


def test_lc503_alpha_scale(project: Path) -> None:
    assert "LC503" in lc5(lint(project, LLAMA + "lora_rank: 8\nlora_alpha: 256\n"))
    assert "LC503" in lc5(lint(project, LLAMA + "lora_rank: 64\nlora_alpha: 4\n"))
    assert "LC503" not in lc5(lint(project, LLAMA + "lora_rank: 8\n"))  # default alpha 16
    assert "LC503" not in lc5(lint(project, LLAMA + "lora_rank: 64\nlora_alpha: 64\nuse_rslora: true\n"))


def test_lc504_learning_rate_per_method(project: Path) -> None:
    assert "LC504" in lc5(lint(project, LLAMA.replace("1.0e-4", "5.0e-2")))
    assert "LC504" in lc5(lint(project, LLAMA.replace("1.0e-4", "1.0e-8")))
    full = LLAMA.replace("finetuning_type: lora", "finetuning_type: full")
    assert "LC504" in lc5(lint(project, full.replace("1.0e-4", "1.0e-3")))
    assert "LC504" not in lc5(lint(project, full.replace("1.0e-4", "1.0e-5")))


def test_lc505_effective_batch_above_dataset(project: Path) -> None:
    text = LLAMA.replace("dataset: mine", "dataset: tiny").replace(
        "gradient_accumulation_steps: 4", "gradient_accumulation_steps: 16"
    )
    [diag] = lc5(lint(project, text))["LC505"]
    assert "exceeds the 12 samples" in diag.message and diag.hint is not None and "--gpus" in diag.hint


def test_lc506_steps(project: Path) -> None:
    few = LLAMA.replace("dataset: mine", "dataset: tiny").replace("num_train_epochs: 3.0", "num_train_epochs: 1.0")
    assert "only 3 optimizer step" in lc5(lint(project, few))["LC506"][0].message
    many = LLAMA.replace("num_train_epochs: 3.0", "num_train_epochs: 3.0\nmax_steps: 5000")
    assert "passes over 400 examples" in lc5(lint(project, many))["LC506"][0].message
    warm = LLAMA + "warmup_steps: 500\n"
    assert "warmup of 500 steps" in lc5(lint(project, warm))["LC506"][0].message
    assert "LC506" not in lc5(lint(project, LLAMA))


def test_lc507_cutoff_beyond_context(project: Path) -> None:
    found = lc5(lint(project, LLAMA.replace("cutoff_len: 1024", "cutoff_len: 8192")))
    assert "exceeds the model's context of 4096" in found["LC507"][0].message
    assert "LC507" not in lc5(
        lint(project, LLAMA.replace("cutoff_len: 1024", "cutoff_len: 8192") + "rope_scaling: linear\n")
    )


def test_invalid_values_are_left_to_the_schema_rules(project: Path) -> None:
    text = LLAMA.replace("per_device_train_batch_size: 1", "per_device_train_batch_size: 0").replace(
        "1.0e-4", "-1.0e-4"
    )
    found = lc5(lint(project, text))
    assert "LC504" not in found and "LC505" not in found and "LC506" not in found


# --- SD rules: the kohya / lora-scripts formats register separately, so run check() directly --


def run_rule(code: str, tmp_path: Path, data: str, format_name: str = "lora-scripts", **options: Any) -> list[Finding]:
    doc = load_text(tmp_path / "c.yaml", textwrap.dedent(data), "yaml", "pyyaml")
    fmt = SimpleNamespace(name=format_name)
    ctx = RuleContext(doc, fmt, Settings(launch_dir=tmp_path, **options))  # type: ignore[arg-type]
    rule = rule_by_code(code)
    assert rule is not None and rule.applies_to(format_name)
    return list(rule.check(ctx))


SDXL_LS = """\
base_model: stabilityai/stable-diffusion-xl-base-1.0
train_data_dir: train
resolution: 1024
batch_size: 1
lora_rank: 16
learning_rate: 0.0001
epochs: 10
mixed_precision: bf16
"""


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "train" / "10_subject"
    folder.mkdir(parents=True)
    for i in range(20):
        (folder / f"{i}.png").write_bytes(b"")
    return tmp_path


def test_lc508_resolution_below_native(tmp_path: Path) -> None:
    [finding] = run_rule("LC508", tmp_path, SDXL_LS.replace("resolution: 1024", "resolution: 512"))
    assert "below sdxl's native 1024x1024" in finding.message
    assert run_rule("LC508", tmp_path, SDXL_LS) == []
    assert run_rule("LC508", tmp_path, SDXL_LS.replace("resolution: 1024", "resolution: '768,1024'"), "kohya") == []


def test_sd_memory_budget(tmp_path: Path) -> None:
    [finding] = run_rule("LC501", tmp_path, SDXL_LS, gpu_memory_gib=6)
    assert (
        finding.severity is None
        and "does not fit" in finding.message
        and finding.hint
        and "sdxl" not in finding.message
    )
    assert run_rule("LC501", tmp_path, SDXL_LS, gpu_memory_gib=80) == []


def test_sd_rank_alpha_and_learning_rate(images: Path) -> None:
    high = run_rule("LC502", images, SDXL_LS.replace("lora_rank: 16", "lora_rank: 128"))
    assert high and "20 images" in high[0].message
    kohya = "pretrained_model_name_or_path: x_sdxl.safetensors\nnetwork_dim: 128\nnetwork_alpha: 1\n"
    [scale] = run_rule("LC503", images, kohya, "kohya")
    assert "1/128 = 0.00781 divides" in scale.message
    assert run_rule("LC504", images, SDXL_LS.replace("0.0001", "0.05"))
    prodigy = SDXL_LS.replace("0.0001", "1.0") + "optimizer_type: Prodigy\n"
    assert run_rule("LC504", images, prodigy) == []


def test_sd_steps_use_repeats(images: Path) -> None:
    # 20 images x 10 repeats = 200 samples per epoch: batch 1 x 10 epochs = 2000 steps, fine
    assert run_rule("LC506", images, SDXL_LS) == []
    assert run_rule("LC505", images, SDXL_LS.replace("batch_size: 1", "batch_size: 256")) != []


def test_lint_cli_budget_options(project: Path) -> None:
    from typer.testing import CliRunner

    from lorachecks.cli.app import app

    path = project / "full.yaml"
    path.write_text(LLAMA.replace("finetuning_type: lora", "finetuning_type: full"))
    runner = CliRunner()
    args = ["lint", "--launch-dir", str(project), "-f", "json"]
    result = runner.invoke(app, [*args, "--gpu-memory", "24GB", str(path)])
    assert result.exit_code == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["LC501"]
    assert runner.invoke(app, [*args, "--gpu-memory", "200GB", str(path)]).exit_code == 0
    assert runner.invoke(app, [*args, "--gpu-memory", "big", str(path)]).exit_code == 2
    assert runner.invoke(app, [*args, "--gpus", "0", str(path)]).exit_code == 2


def test_lycoris_lokr_full_dimension_is_not_a_lora_scale(tmp_path: Path) -> None:
    # LoKr with a huge network_dim trains full matrices and ignores alpha: no LC503; its
    # learning rate is judged on the adapter range, not the full fine-tuning one.
    config = tmp_path / "lokr.toml"
    config.write_text(
        'pretrained_model_name_or_path = "runwayml/stable-diffusion-v1-5"\n'
        "network_dim = 100000\nnetwork_alpha = 1\nlearning_rate = 1e-3\n"
        'network_module = "lycoris.kohya"\nnetwork_args = ["algo=lokr", "factor=6"]\n'
    )
    codes = {d.code for d in lint_file(config, Settings(path_checks=False)).diagnostics}
    assert not {"LC503", "LC504"} & codes
    config.write_text(config.read_text().replace("lycoris.kohya", "networks.lora").replace("100000", "128"))
    assert "LC503" in {d.code for d in lint_file(config, Settings(path_checks=False)).diagnostics}

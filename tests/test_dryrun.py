"""`lorachecks dry-run` on tiny models built here (nothing is downloaded)."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")
pytest.importorskip("tokenizers")

import torch
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.dryrun import Options, dry_run
from lorachecks.dryrun.report import Report
from tests.sd_fixtures import lora_scripts_images

os.environ["HF_HUB_OFFLINE"] = "1"
# The device real steps run on: cpu here; set LORACHECKS_DRYRUN_TEST_DEVICE=cuda on a GPU machine.
DEVICE = os.environ.get("LORACHECKS_DRYRUN_TEST_DEVICE", "cpu")

LLAMA_70B = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
    "rope_theta": 500000.0,
    "tie_word_embeddings": False,
}
LLAMA_7B = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "vocab_size": 32000,
}


def write(tmp_path: Path, text: str, name: str = "train.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def lf_config(tmp_path: Path, model: Path | str, **extra: object) -> Path:
    keys = {
        "model_name_or_path": str(model),
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "lora",
        "lora_target": "q_proj,v_proj",
        "dataset": "alpaca_en_demo",
        "template": "default",  # llama3 needs <|eot_id|>, which the tiny tokenizer lacks (DR309)
        "output_dir": str(tmp_path / "saves"),
        "per_device_train_batch_size": 2,
        "cutoff_len": 32,
        "learning_rate": 1.0e-3,
    }
    keys.update(extra)
    data = tmp_path / "data"  # the trainer stops without the dataset (lint's LC203 in a dry-run too)
    if not (data / "dataset_info.json").exists():
        data.mkdir(exist_ok=True)
        (data / "dataset_info.json").write_text(json.dumps({"alpaca_en_demo": {"file_name": "demo.json"}}))
        records = [{"instruction": "say hi", "input": "", "output": "hi there"}] * 4
        (data / "demo.json").write_text(json.dumps(records))
    lines = [f"{k}: {json.dumps(v) if isinstance(v, (bool, str)) else v}" for k, v in keys.items()]
    return write(tmp_path, "\n".join(lines) + "\n")


def run(path: Path, **options: object) -> Report:
    options.setdefault("device", DEVICE)
    options.setdefault("launch_dir", path.parent)
    return dry_run(path, Options(**options))  # type: ignore[arg-type]


def codes(report: Report) -> list[str]:
    return [d.code for d in report.diagnostics]


def line_of(path: Path, key: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(f"{key}:"))


def test_lora_step_on_cpu_reports_everything(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama))
    assert report.ok, report.diagnostics
    assert report.device == DEVICE and report.dtype == "float32" and report.kind == "llamafactory"
    # q_proj 32->32 and v_proj 32->16 (2 KV heads of 8) at r=8, in 2 layers.
    assert report.trainable_params == 2 * (8 * (32 + 32) + 8 * (32 + 16))
    assert report.total_params is not None and report.trainable_share is not None
    assert report.total_params > report.trainable_params > 0
    assert report.adapter_modules == 4
    assert report.losses[0] is not None and report.losses[0] > 0
    assert report.grad_norm is not None and report.grad_norm > 0
    assert report.grads is not None and report.grads.passed
    # B starts at zero, so each A gets a zero gradient on the first step, by design.
    assert report.grads.ok == 4 and report.grads.zero_by_design == 4
    assert len(report.step_times) == 1 and report.peak_memory and report.estimate


def test_all_targets_every_linear_but_the_head(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama, lora_target="all"))
    assert report.ok, report.diagnostics
    assert report.adapter_modules == 14  # 7 projections x 2 layers
    assert not any("lm_head" in n for n in report.adapter_module_names)


def test_missing_target_points_at_lora_target(tmp_path: Path, tiny_llama: Path) -> None:
    path = lf_config(tmp_path, tiny_llama, lora_target="query_key_value")
    report = run(path)
    assert codes(report) == ["DR201"]
    found = report.diagnostics[0]
    assert found.line == line_of(path, "lora_target") and found.key == "lora_target"
    assert "query_key_value" in found.message and found.hint and "q_proj" in found.hint


def test_missing_additional_target(tmp_path: Path, tiny_llama: Path) -> None:
    path = lf_config(tmp_path, tiny_llama, additional_target="score_head")
    report = run(path)
    assert codes(report) == ["DR203"]
    assert report.diagnostics[0].line == line_of(path, "additional_target")


def test_additional_target_is_trained_fully(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama, additional_target="lm_head"))
    assert report.ok, report.diagnostics
    assert report.trainable_params is not None and report.trainable_params > 1792


def test_steps_loss_falls(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama), steps=4)
    assert report.ok, report.diagnostics
    assert len(report.losses) == 4 and len(report.step_times) == 4
    assert report.final_loss is not None and report.losses[0] is not None
    assert report.final_loss < report.losses[0]


def test_ineffective_learning_rate_fails_the_overfit_check(tmp_path: Path, tiny_llama: Path) -> None:
    # lint already refuses 0 (LC106); 1e-12 passes lint but cannot move fp32 weights.
    path = lf_config(tmp_path, tiny_llama, learning_rate=1.0e-12)
    report = run(path, steps=3)
    assert codes(report) == ["DR305"] and not report.ok
    assert report.diagnostics[0].line == line_of(path, "learning_rate")


def test_freeze_and_full(tmp_path: Path, tiny_llama: Path) -> None:
    full = run(lf_config(tmp_path, tiny_llama, finetuning_type="full"))
    assert full.ok, full.diagnostics
    assert full.trainable_params == full.total_params
    freeze = run(lf_config(tmp_path, tiny_llama, finetuning_type="freeze", freeze_trainable_layers=1))
    assert freeze.ok, freeze.diagnostics
    assert freeze.trainable_params is not None and freeze.total_params is not None
    assert 0 < freeze.trainable_params < freeze.total_params
    assert freeze.grads is not None and freeze.grads.passed


def test_dora_and_rslora(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama, use_dora=True, use_rslora=True))
    assert report.ok, report.diagnostics
    assert report.trainable_params is not None and report.trainable_params > 1792  # + magnitude vectors


def test_save_reloads_and_never_touches_output_dir(tmp_path: Path, tiny_llama: Path) -> None:
    output_dir = tmp_path / "saves"
    output_dir.mkdir()
    (output_dir / "adapter_model.safetensors").write_bytes(b"precious")
    # overwrite_output_dir: the trainer refuses a non-empty output_dir otherwise (lint's LC608).
    config = lf_config(tmp_path, tiny_llama, overwrite_output_dir=True)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    report = run(config, save=True)
    assert report.ok, report.diagnostics
    assert report.saved and "identical" in report.saved and "adapter_model.safetensors" in report.saved
    assert (output_dir / "adapter_model.safetensors").read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_missing_output_dir_is_not_created(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama), save=True)
    assert report.ok
    assert not (tmp_path / "saves").exists()


def test_batch_from_the_real_dataset(tmp_path: Path, tiny_llama: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "dataset_info.json").write_text(json.dumps({"mine": {"file_name": "mine.json"}}))
    records = [{"instruction": "a tiny corpus", "input": "", "output": "for a tiny model"}] * 3
    (data / "mine.json").write_text(json.dumps(records))
    report = run(lf_config(tmp_path, tiny_llama, dataset="mine"))
    assert report.ok, report.diagnostics
    # encoded with the template, prompts masked from the loss: padded to the longest, a multiple of 8
    found = re.match(r"2 x (\d+) token ids of 3 example\(s\) encoded as the trainer encodes them", report.batch)
    assert found is not None and int(found[1]) % 8 == 0 and int(found[1]) <= 32, report.batch
    assert "trained on (prompts masked)" in report.batch and "mine.json" in report.batch


def test_data_the_encoder_does_not_model_falls_back_to_raw_text(tmp_path: Path, tiny_llama: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    entry = {"file_name": "mine.json", "columns": {"prompt": "instruction", "response": "output", "images": "images"}}
    (data / "dataset_info.json").write_text(json.dumps({"mine": entry}))
    (data / "mine.json").write_text(json.dumps([{"instruction": "a tiny corpus", "output": "a tiny model"}] * 3))
    report = run(lf_config(tmp_path, tiny_llama, dataset="mine"))
    assert report.ok, report.diagnostics
    assert "not encoded: dataset `mine` has a `images` column" in " ".join(report.notes)
    assert "3 real sample(s)" in report.batch


def test_template_token_past_the_embedding_fails_as_the_trainer_does(tmp_path: Path, tiny_llama: Path) -> None:
    import shutil

    # One spare embedding row: chatml's end-of-turn token fits there, its <|im_start|> does not.
    model = tmp_path / "spare-row"
    shutil.copytree(tiny_llama, model)
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "vocab_size": config["vocab_size"] + 1}))
    path = lf_config(tmp_path, model, template="chatml")
    report = run(path, device="meta")
    assert codes(report) == ["DR309"] and report.diagnostics[0].line == line_of(path, "template")
    assert "IndexError" in report.diagnostics[0].message
    grown = run(lf_config(tmp_path, model, template="chatml", resize_vocab=True), device="meta")
    assert grown.ok, grown.diagnostics


def test_model_without_tokenizer(tmp_path: Path, tiny_llama: Path) -> None:
    import shutil

    model = tmp_path / "no-tokenizer"
    model.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_llama / name, model / name)
    path = lf_config(tmp_path, model)
    report = run(path)
    assert codes(report) == ["DR107"] and report.diagnostics[0].line == line_of(path, "model_name_or_path")


def test_auto_picks_cpu_for_a_small_model(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama), device="auto")
    assert report.ok, report.diagnostics
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert report.device == expected and report.device_reason.startswith("auto")
    assert report.adapter_module_names[0] == "model.layers.0.self_attn.q_proj"


def test_custom_code_needs_both_switches(tmp_path: Path) -> None:
    model = tmp_path / "custom"
    model.mkdir()
    config = {"model_type": "lorachecks_custom", "auto_map": {"AutoConfig": "configuration_custom.CustomConfig"}}
    (model / "config.json").write_text(json.dumps(config))
    path = lf_config(tmp_path, model)
    report = run(path, device="meta")
    assert codes(report) == ["DR104"]
    assert report.diagnostics[0].line == line_of(path, "model_name_or_path")
    assert report.diagnostics[0].hint and "--trust-remote-code" in report.diagnostics[0].hint
    with_key = run(lf_config(tmp_path, model, trust_remote_code=True), device="meta")
    assert codes(with_key) == ["DR104"] and with_key.diagnostics[0].key == "trust_remote_code"


def test_missing_model_folder(tmp_path: Path) -> None:
    path = lf_config(tmp_path, "./models/nope")
    report = run(path)
    assert codes(report) == ["DR101"]
    assert report.diagnostics[0].line == line_of(path, "model_name_or_path")


def test_uncached_hub_id_suggests_meta(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    report = run(lf_config(tmp_path, "nobody-here/Not-A-Model-7B"))
    assert codes(report) == ["DR102"]
    assert report.diagnostics[0].hint and "--device meta" in report.diagnostics[0].hint


def test_zero_learning_rate_is_a_lint_error(tmp_path: Path, tiny_llama: Path) -> None:
    path = lf_config(tmp_path, tiny_llama, learning_rate=0.0)
    report = run(path, steps=3)
    assert codes(report) == ["DR001"] and "LC106" in report.diagnostics[0].message


def test_schema_errors_stop_before_loading(tmp_path: Path, tiny_llama: Path) -> None:
    path = lf_config(tmp_path, tiny_llama, lora_rnak=8)
    report = run(path)
    assert codes(report) == ["DR001"] and "LC101" in report.diagnostics[0].message
    assert report.diagnostics[0].line == line_of(path, "lora_rnak")
    assert report.total_params is None


def test_unrecognised_file(tmp_path: Path) -> None:
    report = run(write(tmp_path, "hello: world\n"))
    assert codes(report) == ["DR002"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_cuda_requested_without_cuda(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama), device="cuda")
    assert codes(report) == ["DR004"]


def test_meta_7b_lora_parameter_count(tmp_path: Path) -> None:
    model = tmp_path / "llama-2-7b"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(LLAMA_7B))
    report = run(lf_config(tmp_path, model, per_device_train_batch_size=1, cutoff_len=8), device="meta")
    assert report.ok, report.diagnostics
    assert report.trainable_params == 4_194_304
    assert report.total_params == 6_738_415_616 + 4_194_304
    assert report.losses == [None] and report.peak_memory is None


def test_meta_70b_all_linear(tmp_path: Path) -> None:
    model = tmp_path / "llama-3-70b"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(LLAMA_70B))
    path = lf_config(tmp_path, model, lora_target="all", bf16=True, per_device_train_batch_size=1, cutoff_len=2048)
    report = run(path, device="auto")
    assert report.ok, report.diagnostics
    # 80 layers x r=8 x (q 8192+8192, k/v 8192+1024, o 8192+8192, gate/up/down 8192+28672).
    assert report.trainable_params == 80 * 8 * (2 * 16384 + 2 * 9216 + 3 * 36864)
    assert report.adapter_modules == 560 and report.dtype == "bfloat16"
    assert report.grads is not None and report.grads.unverified == 1120 and report.grads.passed
    if not torch.cuda.is_available():
        assert report.device == "meta" and "auto" in report.device_reason


def test_lora_scripts_text_generation(tmp_path: Path, tiny_llama: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        task_type: text-generation
        base_model: {tiny_llama}
        lora_rank: 4
        batch_size: 1
        max_seq_length: 16
        learning_rate: 0.001
        output_dir: ./out
        metadata_path: ./data/train.jsonl
        """,
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text('{"text": "a tiny corpus for a tiny model"}\n' * 4)
    report = run(path, steps=2)
    assert report.ok, report.diagnostics
    assert report.kind == "lora-scripts-text" and report.adapter_modules == 14


def test_cli_json_and_exit_codes(tmp_path: Path, tiny_llama: Path) -> None:
    cli = CliRunner()
    good = lf_config(tmp_path, tiny_llama)
    result = cli.invoke(
        app, ["dry-run", str(good), "--device", "cpu", "--format", "json", "--launch-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["trainable_params"] == 1792 and data["gradients"]["passed"]
    bad = lf_config(tmp_path, tiny_llama, lora_target="query_key_value")
    result = cli.invoke(app, ["dry-run", str(bad), "--device", "cpu", "--launch-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{bad}:{line_of(bad, 'lora_target')}:" in result.stdout and "DR201" in result.stdout
    assert cli.invoke(app, ["dry-run", str(bad), "--device", "tpu"]).exit_code == 2


def test_cli_several_files_as_pre_commit_passes_them(tmp_path: Path, tiny_llama: Path) -> None:
    cli = CliRunner()
    good = lf_config(tmp_path, tiny_llama)
    other = write(tmp_path, "name: ci\non: push\n", "workflow.yaml")
    args = ["dry-run", str(good), str(other), "--device", "meta", "--launch-dir", str(tmp_path)]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"skipped: {other}" in result.stdout and "dry-run passed" in result.stdout
    result = cli.invoke(app, [*args, "--format", "json"])
    data = json.loads(result.stdout)
    assert [d["skipped"] for d in data] == [False, True] and data[0]["ok"]
    assert cli.invoke(app, ["dry-run", str(other)]).exit_code == 1  # alone, a non-config is an error


def test_gradient_check_flags_unused_and_frozen() -> None:
    from lorachecks.dryrun.step import check_gradients

    model = torch.nn.ModuleDict({"used": torch.nn.Linear(2, 2), "unused": torch.nn.Linear(2, 2)})
    model["used"](torch.ones(1, 2)).sum().backward()
    check = check_gradients(model)
    assert sorted(check.missing) == ["unused.bias", "unused.weight"] and not check.passed
    frozen = torch.nn.Linear(2, 2)
    frozen.weight.grad = torch.ones(2, 2)
    frozen.weight.requires_grad_(False)
    assert check_gradients(frozen).frozen_with_grad == ["weight"]


def test_missing_extra_is_a_diagnostic(tmp_path: Path, tiny_llama: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lorachecks.dryrun import runner

    monkeypatch.setattr(runner, "_missing_extra", lambda plan: ["peft"])
    report = run(lf_config(tmp_path, tiny_llama))
    assert (
        codes(report) == ["DR003"] and report.diagnostics[0].hint and "lorachecks[dryrun]" in report.diagnostics[0].hint
    )


@pytest.fixture(scope="module")
def tiny_unet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    diffusers = pytest.importorskip("diffusers")
    folder = tmp_path_factory.mktemp("tiny-sd")
    torch.manual_seed(0)
    diffusers.UNet2DConditionModel(
        sample_size=8,
        layers_per_block=1,
        block_out_channels=(16, 32),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=16,
        attention_head_dim=4,
        norm_num_groups=8,
    ).save_pretrained(folder / "unet")
    return folder


def test_kohya_toml_with_conv_lora(tmp_path: Path, tiny_unet: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        [model]
        pretrained_model_name_or_path = "{tiny_unet}"
        [network]
        network_module = "networks.lora"
        network_dim = 4
        network_alpha = 2
        network_args = ["conv_dim=2", "conv_alpha=1"]
        [training]
        train_batch_size = 1
        resolution = "32,32"
        unet_lr = 1e-3
        network_train_unet_only = true
        """,
        "kohya.toml",
    )
    with_conv = run(path, steps=2, save=True)
    assert with_conv.ok, with_conv.diagnostics
    assert with_conv.kind == "kohya" and with_conv.grads is not None and with_conv.grads.passed
    assert any("resnets" in n for n in with_conv.adapter_module_names)
    assert any(n.endswith("attn1.to_q") for n in with_conv.adapter_module_names)
    assert with_conv.saved and "lora_weights.safetensors" in with_conv.saved
    plain = run(
        write(tmp_path, path.read_text().replace('network_args = ["conv_dim=2", "conv_alpha=1"]', ""), "plain.toml")
    )
    assert plain.ok and plain.adapter_modules is not None and with_conv.adapter_modules is not None
    assert plain.adapter_modules < with_conv.adapter_modules
    assert not any("resnets" in n for n in plain.adapter_module_names)


def test_kohya_missing_model_points_into_its_table(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    path = write(
        tmp_path,
        """\
        [model]
        pretrained_model_name_or_path = "./sd-models/missing"
        [network]
        network_dim = 4
        """,
        "kohya.toml",
    )
    report = run(path)
    assert codes(report) == ["DR101"] and report.diagnostics[0].line == 2


def test_lora_scripts_text_to_image_on_meta(tmp_path: Path, tiny_unet: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        task_type: text-to-image
        base_model: {tiny_unet}
        train_data_dir: ./images
        metadata_path: ./images/metadata.csv
        output_dir: ./out
        lora_rank: 4
        batch_size: 2
        resolution: 64
        mixed_precision: bf16
        """,
    )
    lora_scripts_images(tmp_path / "images")
    report = run(path, device="meta")
    assert report.ok, report.diagnostics
    assert report.dtype == "bfloat16" and report.batch.startswith("2 x latents (4, 8, 8)")


def fake_checkpoint(path: Path, marker: str, unet_params: int) -> Path:
    """A sparse single-file checkpoint: a real safetensors header, no data written."""
    header: dict[str, object] = {marker: {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}
    header["model.diffusion_model.all"] = {
        "dtype": "F16",
        "shape": [unet_params],
        "data_offsets": [2, 2 + 2 * unet_params],
    }
    raw = json.dumps(header).encode()
    with path.open("wb") as handle:
        handle.write(len(raw).to_bytes(8, "little") + raw)
        handle.truncate(8 + len(raw) + 2 + 2 * unet_params)
    return path


SD15_UNET_PARAMS = 859_520_964


def test_single_file_sd1_on_meta(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    fake_checkpoint(tmp_path / "sd15.safetensors", "cond_stage_model.transformer.x", SD15_UNET_PARAMS)
    path = write(
        tmp_path,
        """\
        [model]
        pretrained_model_name_or_path = "./sd15.safetensors"
        model_train_type = "sd-lora"
        [network]
        network_dim = 8
        network_args = ["conv_dim=4"]
        """,
        "sd15.toml",
    )
    report = run(path, device="auto")
    assert report.ok, report.diagnostics
    assert report.device == "meta" and report.device_reason.startswith("auto: single-file")
    # The SD 1.x U-Net built from the published configuration matches the checkpoint exactly.
    assert report.total_params is not None and report.trainable_params is not None
    assert report.total_params - report.trainable_params == SD15_UNET_PARAMS
    assert not any("parameters, the checkpoint" in n for n in report.notes)
    assert any(".resnets." in n and n.endswith("conv1") for n in report.adapter_module_names)
    forced = run(path, device="cpu")
    assert [d.code for d in forced.diagnostics] == ["DR002"] and forced.diagnostics[0].line == 2


def test_single_file_family_mismatch(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    fake_checkpoint(tmp_path / "sd15.safetensors", "cond_stage_model.transformer.x", SD15_UNET_PARAMS)
    path = write(
        tmp_path,
        '[model]\npretrained_model_name_or_path = "./sd15.safetensors"\nmodel_train_type = "sdxl-lora"\n',
        "xl.toml",
    )
    report = run(path, device="meta")
    assert codes(report) == ["DR108"] and report.diagnostics[0].line == 3


def test_unreadable_single_file_checkpoint(tmp_path: Path, tiny_unet: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    image_keys = "train_data_dir: ./i\nmetadata_path: ./i/m.csv\noutput_dir: ./o\n"
    path = write(tmp_path, f"task_type: text-to-image\nbase_model: ./model.safetensors\n{image_keys}")
    lora_scripts_images(tmp_path / "i", "m.csv")
    report = run(path)
    assert codes(report) == ["DR103"] and report.diagnostics[0].line == 2


@pytest.mark.parametrize(
    ("precision", "losses", "final", "expected"),
    [
        ("fp32", [float("nan")], None, [("DR302", "error")]),
        ("fp32", [2.0, 2.0], 2.0, [("DR305", "error")]),
        ("bf16", [2.0, 2.0], 2.0, [("DR305", "warning")]),
        ("bf16", [2.0, 2.5], 2.5, [("DR305", "error")]),
        ("fp32", [2.0, 1.9], 1.8, []),
        ("fp32", [2.0, 1.0, 1.5], 1.2, [("DR305", "error")]),  # lower at the end, but it bounced up
        ("bf16", [2.0, 1.0, 1.5], 0.9, [("DR305", "warning")]),
        ("fp32", [2.0, 1.5, 1.2], 1.0, []),
    ],
)
def test_loss_verdicts(
    tmp_path: Path, precision: str, losses: list[float], final: float | None, expected: list[tuple[str, str]]
) -> None:
    from lorachecks.dryrun.config import Plan, diagnostic
    from lorachecks.dryrun.step import StepResult, verdicts

    plan = Plan(path=tmp_path / "x.yaml", kind="llamafactory", model="m", model_key="model_name_or_path")
    plan.precision, plan.learning_rate = precision, 1e-4  # a rate that can move the loss
    report = Report(
        config="x.yaml", locate=lambda code, msg, key, hint: diagnostic(None, plan.path, code, msg, key, hint)
    )
    verdicts(report, plan, StepResult(losses=list(losses), final_loss=final))
    assert [(d.code, d.severity.value) for d in report.diagnostics] == expected


def test_identical_runs_build_identical_adapters(tmp_path: Path, tiny_llama: Path) -> None:
    """The trainer seeds (`seed`, default 42) before the adapter is built: so does the dry-run."""
    config = lf_config(tmp_path, tiny_llama)
    first, second = run(config), run(config)
    assert first.ok and second.ok
    assert first.grad_norm == second.grad_norm and first.losses == second.losses
    other = run(lf_config(tmp_path, tiny_llama, seed=7))
    assert other.grad_norm != first.grad_norm


def test_full_tuning_in_bf16_trains_fp32_weights(tmp_path: Path, tiny_llama: Path) -> None:
    from lorachecks.core.settings import Settings
    from lorachecks.dryrun import lm
    from lorachecks.dryrun.config import read_config

    config = lf_config(tmp_path, tiny_llama, finetuning_type="full", bf16=True)
    plan = read_config(config, Settings(launch_dir=tmp_path)).plan
    assert plan is not None
    model = torch.nn.Sequential(torch.nn.Linear(4, 4)).to(torch.bfloat16)
    model, _ = lm.apply_finetuning(model, plan)
    assert {p.dtype for p in model.parameters()} == {torch.float32}  # upcast, as the trainer does
    pure = read_config(
        lf_config(tmp_path, tiny_llama, finetuning_type="full", pure_bf16=True), Settings(launch_dir=tmp_path)
    ).plan
    assert pure is not None
    kept, _ = lm.apply_finetuning(torch.nn.Sequential(torch.nn.Linear(4, 4)).to(torch.bfloat16), pure)
    assert {p.dtype for p in kept.parameters()} == {torch.bfloat16}


def test_template_token_without_an_embedding_row(tmp_path: Path, tiny_llama: Path) -> None:
    """llama3 installs <|eot_id|> as EOS; the tiny tokenizer lacks it and the embedding has no
    spare row: the trainer fails at its first step, the dry-run says so at `template`."""
    config = lf_config(tmp_path, tiny_llama, template="llama3")
    report = run(config)
    assert codes(report) == ["DR309"] and report.diagnostics[0].line == line_of(config, "template")
    grown = run(lf_config(tmp_path, tiny_llama, template="llama3", resize_vocab=True))
    assert grown.ok, grown.diagnostics
    assert grown.trainable_params is not None and report.trainable_params is None

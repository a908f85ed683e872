"""One answer for one question: `lorachecks estimate` and `lorachecks dry-run` agree.

The estimate counts from dimensions (no torch); the dry-run builds the model on meta and
counts what peft actually adapted. Where both answer the same question they must agree.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from lorachecks.estimate.llm import estimate_llm

TOKENIZER = Path(__file__).resolve().parent.parent / "examples" / "dryrun" / "tiny-llama3"
LLAMA2 = {"model_name_or_path": "meta-llama/Llama-2-7b-hf", "per_device_train_batch_size": 1, "cutoff_len": 512}


@pytest.mark.parametrize("extra", [{}, {"bf16": True}, {"pure_bf16": True}, {"optim": "adamw_8bit"}])
def test_zero3_on_one_gpu_needs_what_unsharded_training_needs(extra: dict[str, Any]) -> None:
    base = {**LLAMA2, "finetuning_type": "full", **extra}
    plain = estimate_llm(base)
    zero3 = estimate_llm({**base, "deepspeed": {"zero_optimization": {"stage": 3}}})
    if "pure_bf16" in extra:  # no fp32 master without ZeRO: 8 bytes; ZeRO-3 keeps one: 16
        assert zero3.total_bytes > plain.total_bytes
        return
    # Sharding over one GPU moves nothing: 16 bytes per parameter for mixed-precision AdamW
    # either way (fp32 weights/gradients/states, or 16-bit weights/gradients + fp32 master/states).
    assert zero3.total_bytes == pytest.approx(plain.total_bytes)
    per_param = sum(v for k, v in zero3.breakdown.items() if k not in ("activations", "overhead")) / zero3.params
    expected = 2 + 2 + (2 + 4 if "optim" in extra else 12)
    assert per_param == pytest.approx(expected)


def test_zero3_shards_every_state_over_the_gpus() -> None:
    base = {**LLAMA2, "finetuning_type": "full", "bf16": True, "deepspeed": {"zero_optimization": {"stage": 3}}}
    one, eight = estimate_llm(base, gpus=1), estimate_llm(base, gpus=8)
    for part in ("weights", "gradients", "optimizer"):
        assert eight.breakdown[part] == pytest.approx(one.breakdown[part] / 8)


def test_qwen_v1_config_states_the_doubled_mlp_width(tmp_path: Path) -> None:
    # Qwen-1.8B: its config says intermediate_size 11008; w1 and w2 are 5504 wide each.
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "model_type": "qwen",
                "hidden_size": 2048,
                "num_hidden_layers": 24,
                "num_attention_heads": 16,
                "intermediate_size": 11008,
                "vocab_size": 151936,
            }
        )
    )
    found = estimate_llm({"model_name_or_path": str(tmp_path), "finetuning_type": "full"})
    assert 1.83e9 < found.params < 1.85e9  # published: 1.8 B (1,836,828,672)


MOE_CONFIGS: dict[str, dict[str, Any]] = {
    "mixtral": {"num_local_experts": 4, "num_experts_per_tok": 2},
    "qwen2_moe": {
        "num_experts": 4,
        "num_experts_per_tok": 2,
        "moe_intermediate_size": 32,
        "shared_expert_intermediate_size": 48,
    },
    "qwen3_moe": {"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32, "head_dim": 16},
    "llama": {},
}
SMALL = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 384,  # the bundled example tokenizer's
    "max_position_embeddings": 64,
}


def _dataset(tmp_path: Path) -> str:
    """The config lines of a tiny registered dataset `x`: the trainer, and so the dry-run, stop without it."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "dataset_info.json").write_text(json.dumps({"x": {"file_name": "x.json"}}))
    (data / "x.json").write_text(json.dumps([{"instruction": "say hi", "output": "hi"}] * 2))
    return f"dataset: x\ndataset_dir: {data}\n"


@pytest.mark.parametrize("model_type", sorted(MOE_CONFIGS))
def test_all_targets_count_the_same_in_estimate_and_dry_run(model_type: str, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run

    model = tmp_path / model_type
    shutil.copytree(TOKENIZER, model)
    (model / "config.json").write_text(json.dumps({"model_type": model_type, **SMALL, **MOE_CONFIGS[model_type]}))
    config = tmp_path / "train.yaml"
    config.write_text(
        f"model_name_or_path: {model}\nstage: sft\ndo_train: true\nfinetuning_type: lora\nlora_target: all\n"
        f"{_dataset(tmp_path)}template: default\noutput_dir: {tmp_path / 'out'}\nper_device_train_batch_size: 1\n"
        "cutoff_len: 8\n"
    )
    # A real CPU step on random weights (the experts' grouped matmul does not run on meta yet).
    report = dry_run(config, Options(device="cpu", init="random", launch_dir=tmp_path))
    assert report.ok, report.diagnostics
    assert report.tool_estimate_trainable == report.trainable_params
    assert not any("experts" in name for name in report.adapter_module_names)


def test_mixtral_all_no_longer_counts_the_experts() -> None:
    found = estimate_llm({"model_name_or_path": "mistralai/Mixtral-8x7B-v0.1", "lora_target": "all"})
    # 32 layers x r=8 x (q 4096+4096, k 4096+1024, v 4096+1024, o 4096+4096): attention only.
    assert found.trainable_params == 32 * 8 * (8192 + 5120 + 5120 + 8192)
    assert any("fuses the routed experts" in a for a in found.assumptions)


def test_auto_device_counts_activations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run, step

    # About 220 M parameters (0.8 GiB of weights) but batch 16 x 4096 tokens: the logits and
    # layer activations need tens of GiB, which a CPU with 32 GiB free cannot hold.
    model = tmp_path / "llama-220m"
    model.mkdir()
    dims = {**SMALL, "hidden_size": 1024, "intermediate_size": 2816, "num_hidden_layers": 12, "vocab_size": 32000}
    (model / "config.json").write_text(json.dumps({"model_type": "llama", **dims, "max_position_embeddings": 4096}))
    config = tmp_path / "train.yaml"
    config.write_text(
        f"model_name_or_path: {model}\nstage: sft\ndo_train: true\nfinetuning_type: lora\nlora_target: q_proj\n"
        f"{_dataset(tmp_path)}template: default\noutput_dir: {tmp_path / 'out'}\nper_device_train_batch_size: 16\n"
        "cutoff_len: 4096\n"
    )
    monkeypatch.setattr(step, "available_ram", lambda: 32 * 2**30)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    report = dry_run(config, Options(device="auto", init="random", launch_dir=tmp_path))
    assert report.estimate is not None and report.tool_estimate is not None
    weights_only = (report.total_params or 0) * 4 + (report.trainable_params or 0) * 12
    assert weights_only < 2**30 < 16 * 2**30 < report.estimate
    assert "activations" in report.estimate_source
    assert report.device == "meta" and "more than half" in report.device_reason


# --- Stable Diffusion: sd-scripts' module selection, one count -------------------------------


def _kohya(tmp_path: Path, model: str, network: str, extra: str = "", name: str = "train.toml") -> Path:
    path = tmp_path / name
    path.write_text(
        f'[model]\npretrained_model_name_or_path = "{model}"\n[network]\nnetwork_module = "networks.lora"\n'
        f"{network}\n[training]\ntrain_batch_size = 1\nnetwork_train_unet_only = true\n{extra}"
    )
    return path


@pytest.mark.parametrize(
    ("family", "network", "modules"),
    [
        ("SD1", 'network_dim = 8\nnetwork_args = ["conv_dim=4"]', 278),  # sd-scripts: 278, 6,230,528
        ("SD2", "network_dim = 8", 192),  # sd-scripts: 192, 3,457,024
        ("SDXL", 'network_dim = 8\nnetwork_args = ["conv_dim=4"]', 788),  # sd-scripts: 788, 23,170,560
    ],
)
def test_unet_lora_counts_agree_with_sd_scripts_selection(
    family: str, network: str, modules: int, tmp_path: Path
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run
    from tests.sd_fixtures import write_family

    write_family(tmp_path / "model.safetensors", family)
    resolution = "1024" if family == "SDXL" else "512"
    v2 = "v2 = true\n" if family == "SD2" else ""  # sd-scripts reads an SD 2.x checkpoint only with v2 (LC408)
    config = _kohya(tmp_path, "./model.safetensors", network, f'resolution = "{resolution}"\n{v2}')
    report = dry_run(config, Options(device="meta", launch_dir=tmp_path))
    assert report.ok, report.diagnostics
    assert report.adapter_modules == modules
    assert report.trainable_params == report.tool_estimate_trainable
    if "conv_dim" in network:  # every ResNet block's time-embedding projection is adapted too
        assert sum(n.endswith("time_emb_proj") for n in report.adapter_module_names) == (22 if family == "SD1" else 17)


def test_sd15_conv_lora_matches_sd_scripts_published_count() -> None:
    from lorachecks.estimate.sd import estimate_sd

    config = {
        "pretrained_model_name_or_path": "runwayml/stable-diffusion-v1-5",
        "network_module": "networks.lora",
        "network_dim": 8,
        "network_args": ["conv_dim=4"],
        "network_train_unet_only": True,
    }
    # sd-scripts' create_network on its SD 1.5 U-Net: 278 modules, 6,230,528 parameters.
    assert estimate_sd(config).trainable_params == 6_230_528
    both = estimate_sd({**config, "network_train_unet_only": False})
    assert both.trainable_parts == {"denoiser": 6_230_528, "text encoders": 8 * 12 * (8 * 768 + 10 * 768)}


def test_resolution_comes_from_the_dataset_config(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run
    from lorachecks.estimate.sd import estimate_sd
    from tests.sd_fixtures import write_family

    write_family(tmp_path / "model.safetensors", "SD1")
    (tmp_path / "dataset.toml").write_text(
        "[general]\nresolution = 768\n[[datasets]]\nresolution = [512, 512]\n[[datasets.subsets]]\n"
        'image_dir = "a"\n[[datasets]]\n[[datasets.subsets]]\nimage_dir = "b"\n'
    )
    config = _kohya(tmp_path, "./model.safetensors", "network_dim = 4", 'dataset_config = "dataset.toml"\n')
    report = dry_run(config, Options(device="meta", launch_dir=tmp_path))
    assert report.ok, report.diagnostics
    # The second dataset inherits [general]'s 768: the larger one sets the batch.
    assert report.batch.startswith("1 x latents (4, 96, 96)")
    assert any("dataset_config dataset.toml" in n for n in report.notes)
    import tomllib

    flat = tomllib.loads(config.read_text())
    found = estimate_sd({k: v for table in flat.values() for k, v in table.items()}, tmp_path)
    assert any("768x768 from dataset_config" in a for a in found.assumptions)


def test_lycoris_loha_is_reported_as_not_modelled(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run
    from tests.sd_fixtures import write_family

    write_family(tmp_path / "model.safetensors", "SD1")
    network = 'network_dim = 8\nnetwork_args = ["algo=loha"]'
    config = _kohya(tmp_path, "./model.safetensors", network).read_text()
    config = config.replace('network_module = "networks.lora"', 'network_module = "lycoris.kohya"')
    (tmp_path / "train.toml").write_text(config)
    report = dry_run(tmp_path / "train.toml", Options(device="meta", launch_dir=tmp_path))
    warnings = [d for d in report.diagnostics if d.code == "DR002"]
    assert len(warnings) == 1 and warnings[0].severity.value == "warning"
    assert "algo=loha is not modelled" in warnings[0].message and warnings[0].line == 4  # network_module
    assert report.ok  # the step ran, but not silently as LoRA


def test_unmodelled_llamafactory_options_are_noted(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run

    example = (
        Path(__file__).resolve().parent.parent / "examples" / "dryrun" / "llamafactory_lora_sft.yaml"
    ).read_text()
    config = tmp_path / "train.yaml"
    config.write_text(example + "pissa_init: true\npacking: true\nneftune_noise_alpha: 5\n")
    root = Path(__file__).resolve().parent.parent
    report = dry_run(config, Options(device="meta", launch_dir=root))
    assert report.ok, report.diagnostics
    notes = " ".join(report.notes)
    assert "pissa_init is not applied" in notes and "packing" in notes and "neftune_noise_alpha 5" in notes


# Qwen2-VL cases of tests/differential, each trained by LLaMA-Factory 0.9.5 as the dry-run counts.
VL_CASES: dict[str, dict[str, Any]] = {
    "lora_all": {},
    "lora_vision_trained": {"freeze_vision_tower": False},
    "lora_named_targets_vision_trained": {"lora_target": "q_proj,v_proj", "freeze_vision_tower": False},
    "full": {"finetuning_type": "full"},
    "freeze": {"finetuning_type": "freeze"},
    "freeze_projector_trained": {"finetuning_type": "freeze", "freeze_multi_modal_projector": False},
    "vision_tower_only": {"finetuning_type": "full", "freeze_language_model": True, "freeze_vision_tower": False},
}


def _tiny_qwen2_vl(folder: Path) -> None:
    transformers = pytest.importorskip("transformers")
    import torch

    text = {**SMALL, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 3, "tie_word_embeddings": False}
    text["rope_scaling"] = {"type": "mrope", "mrope_section": [2, 3, 3]}
    vision = {"depth": 1, "embed_dim": 32, "hidden_size": 64, "num_heads": 2, "mlp_ratio": 2}
    torch.manual_seed(0)
    config = transformers.Qwen2VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=False)
    transformers.Qwen2VLForConditionalGeneration(config).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(TOKENIZER / name, folder / name)


@pytest.fixture(scope="module")
def qwen2_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("vl") / "qwen2vl"
    _tiny_qwen2_vl(folder)
    return folder


@pytest.mark.parametrize("case", sorted(VL_CASES))
def test_vision_language_estimate_counts_what_the_trainer_trains(case: str, qwen2_vl: Path, tmp_path: Path) -> None:
    pytest.importorskip("peft")
    from lorachecks.dryrun import Options, dry_run

    settings = {"finetuning_type": "lora", "lora_target": "all", **VL_CASES[case]}
    lines = "".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in settings.items())
    config = tmp_path / "train.yaml"
    config.write_text(
        f"model_name_or_path: {qwen2_vl}\nstage: sft\ndo_train: true\n{lines}{_dataset(tmp_path)}template: default\n"
        f"output_dir: {tmp_path / 'out'}\nper_device_train_batch_size: 1\ncutoff_len: 8\n"
    )
    report = dry_run(config, Options(device="meta", launch_dir=tmp_path))
    assert report.trainable_params, report.diagnostics
    assert report.tool_estimate_trainable == report.trainable_params
    found = estimate_llm({"model_name_or_path": str(qwen2_vl), **settings})
    adapters = found.trainable_params if settings["finetuning_type"] == "lora" else 0  # in the built model
    assert found.params + adapters == report.total_params  # the vision tower and projector are counted too
    assert any("vision tower" in a and "safetensors header" in a for a in found.assumptions)


def test_vision_language_parts_without_weights_are_said_not_counted(tmp_path: Path) -> None:
    folder = tmp_path / "vl"
    folder.mkdir()
    text = {**SMALL, "model_type": "qwen2_vl_text"}
    (folder / "config.json").write_text(
        json.dumps({"model_type": "qwen2_vl", "text_config": text, "vision_config": {}})
    )
    found = estimate_llm({"model_name_or_path": str(folder), "finetuning_type": "full", "freeze_vision_tower": False})
    assert any("not counted" in a and "the vision tower" in a for a in found.assumptions)
    assert found.trainable_params == found.params  # the language model, as far as it can be counted

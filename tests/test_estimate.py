"""The memory estimator: parameter counts, sources, how options move the estimate, the table."""

from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.estimate import estimate_config, estimate_llm, estimate_sd
from lorachecks.estimate.catalogue import LLM_CATALOGUE, lookup_llm
from lorachecks.estimate.llm import lora_modules
from tests.conftest import ROOT

runner = CliRunner()
LLAMA2 = {"model_name_or_path": "meta-llama/Llama-2-7b-hf", "per_device_train_batch_size": 1, "cutoff_len": 1024}


def write_safetensors(path: Path, tensors: dict[str, tuple[int, ...]]) -> None:
    """A real safetensors file (zero-filled F16 data) with the given tensor shapes."""
    header: dict[str, Any] = {}
    offset = 0
    for name, shape in tensors.items():
        size = 2
        for dim in shape:
            size *= dim
        header[name] = {"dtype": "F16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


def test_parameter_counts_match_the_released_checkpoints() -> None:
    assert LLM_CATALOGUE["meta-llama/llama-2-7b-hf"].params == 6_738_415_616
    assert LLM_CATALOGUE["qwen/qwen2.5-0.5b"].params == 494_032_768
    assert LLM_CATALOGUE["meta-llama/llama-3.1-8b"].params == 8_030_261_248
    assert LLM_CATALOGUE["meta-llama/llama-3.2-1b"].params == 1_235_814_400


def test_lora_parameter_count_on_every_linear_layer() -> None:
    modules, unknown = lora_modules(LLM_CATALOGUE["meta-llama/llama-2-7b-hf"], "all")
    assert unknown == [] and sum(8 * (i + o) * c for i, o, c in modules) == 19_988_480
    q_v, _ = lora_modules(LLM_CATALOGUE["meta-llama/llama-2-7b-hf"], "q_proj,v_proj")
    assert sum(8 * (i + o) * c for i, o, c in q_v) == 32 * 2 * 8 * (4096 + 4096)


def test_catalogue_lookup_ignores_case_and_chat_suffixes() -> None:
    found = lookup_llm("Qwen/Qwen2.5-7B-Instruct")
    assert found is not None and found[0] == "qwen/qwen2.5-7b"
    assert lookup_llm("someone/unknown-model") is None


def test_source_local_config_json(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    dims = {"model_type": "qwen2", "hidden_size": 896, "num_hidden_layers": 24, "num_attention_heads": 14,
            "num_key_value_heads": 2, "intermediate_size": 4864, "vocab_size": 151936,
            "tie_word_embeddings": True, "max_position_embeddings": 32768}  # fmt: skip
    (model / "config.json").write_text(json.dumps(dims))
    est = estimate_llm({"model_name_or_path": "m", "cutoff_len": 512}, base=tmp_path)
    assert est.model_source.startswith("config.json") and est.params == 494_032_768
    assert est.known and est.total_gib is not None and est.total_gib > 0


def test_source_safetensors_header(tmp_path: Path) -> None:
    model = tmp_path / "tiny"
    model.mkdir()
    shapes = {"model.embed_tokens.weight": (64, 128), "lm_head.weight": (64, 128)}
    for layer in range(2):
        prefix = f"model.layers.{layer}."
        shapes |= {
            prefix + "self_attn.q_proj.weight": (128, 128),
            prefix + "self_attn.k_proj.weight": (64, 128),
            prefix + "self_attn.v_proj.weight": (64, 128),
            prefix + "self_attn.o_proj.weight": (128, 128),
            prefix + "mlp.up_proj.weight": (256, 128),
            prefix + "mlp.gate_proj.weight": (256, 128),
            prefix + "mlp.down_proj.weight": (128, 256),
        }
    write_safetensors(model / "model.safetensors", shapes)
    est = estimate_llm({"model_name_or_path": str(model)})
    assert est.model_source.startswith("safetensors header")
    assert est.params == sum(a * b for a, b in shapes.values())
    assert "2 layers" in est.assumptions[0] or any("2 layers" in a for a in est.assumptions)


def test_unknown_model_is_said_not_guessed(tmp_path: Path) -> None:
    est = estimate_llm({"model_name_or_path": "acme/secret-model"}, base=tmp_path)
    assert not est.known and est.total_gib is None and est.model_source.startswith("unknown")
    assert est.to_json()["total_gib"] is None


def total(**overrides: Any) -> float:
    return estimate_llm({**LLAMA2, **overrides}).total_bytes


def test_methods_order_full_lora_qlora() -> None:
    full, pure = total(finetuning_type="full"), total(finetuning_type="full", pure_bf16=True)
    lora, q8, q4 = total(), total(quantization_bit=8), total(quantization_bit=4)
    assert full > pure > lora > q8 > q4
    assert total(use_dora=True) > lora
    freeze = estimate_llm({**LLAMA2, "finetuning_type": "freeze", "freeze_trainable_layers": 2})
    assert freeze.trainable_params == 2 * LLM_CATALOGUE["meta-llama/llama-2-7b-hf"].layer_params


def test_sequence_batch_checkpointing_and_attention_move_activations() -> None:
    def act(**o: Any) -> float:
        return estimate_llm({**LLAMA2, **o}).breakdown["activations"]

    assert act(cutoff_len=4096) > act(cutoff_len=1024)
    assert act(per_device_train_batch_size=4) > act()
    assert act(disable_gradient_checkpointing=True) > 3 * act()
    assert act(flash_attn="disabled") > act(flash_attn="fa2")
    assert act(enable_liger_kernel=True) < act()
    assert act(stage="dpo") > act()


def test_deepspeed_and_fsdp_sharding(tmp_path: Path) -> None:
    z3 = {"zero_optimization": {"stage": 3}}
    z2_off = {"zero_optimization": {"stage": 2, "offload_optimizer": {"device": "cpu"}}}
    (tmp_path / "z3.json").write_text(json.dumps(z3))
    base = {**LLAMA2, "finetuning_type": "full", "bf16": True}
    one = estimate_llm(base, tmp_path, gpus=1)
    sharded = estimate_llm({**base, "deepspeed": "z3.json"}, tmp_path, gpus=8)
    assert sharded.breakdown["weights"] == pytest.approx(one.breakdown["weights"] / 8)
    assert sharded.total_bytes < one.total_bytes / 4
    offload = estimate_llm({**base, "deepspeed": z2_off}, tmp_path, gpus=2)
    assert offload.breakdown["optimizer"] == 0
    by_name = estimate_llm({**base, "deepspeed": "examples/deepspeed/ds_z3_config.json"}, tmp_path, gpus=4)
    assert any("stage from its name" in a for a in by_name.assumptions)
    fsdp = estimate_llm({**base, "fsdp": "full_shard auto_wrap"}, tmp_path, gpus=8)
    assert fsdp.total_bytes < one.total_bytes / 4


def _benchmark() -> Any:
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "estimate_vs_published.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_llamafactory_table_cells_within_25_percent(capsys: pytest.CaptureFixture[str]) -> None:
    ratios = _benchmark().llamafactory_table()
    assert len(ratios) == 24
    assert all(0.75 <= r <= 1.25 for r in ratios), ratios
    assert "ratio range" in capsys.readouterr().out


def test_published_sd_figures_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    ratios = _benchmark().sd_figures()
    assert len(ratios) == 9 and all(r > 0 for r in ratios)
    assert "FLUX" in capsys.readouterr().out


# --- Stable Diffusion family, through the Python API with plain mappings ---------------

SDXL: dict[str, Any] = {
    "pretrained_model_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0",
    "resolution": "1024,1024",
    "train_batch_size": 1,
    "mixed_precision": "bf16",
    "network_dim": 16,
    "sdpa": True,
}
FLUX: dict[str, Any] = {
    "pretrained_model_name_or_path": "black-forest-labs/FLUX.1-dev",
    "resolution": 1024,
    "mixed_precision": "bf16",
    "gradient_checkpointing": True,
    "cache_latents": True,
    "cache_text_encoder_outputs": True,
    "network_train_unet_only": True,
}


def sd_total(config: dict[str, Any], **overrides: Any) -> float:
    return estimate_sd({**config, **overrides}).total_bytes


def test_sd_family_and_options() -> None:
    est = estimate_sd(SDXL)
    assert est.kind == "sdxl" and est.model_source.startswith("catalogue") and est.known
    assert sd_total(SDXL, gradient_checkpointing=True) < sd_total(SDXL)
    assert sd_total(SDXL, cache_latents=True) < sd_total(SDXL)
    assert sd_total(SDXL, train_batch_size=4) > sd_total(SDXL)
    assert sd_total(SDXL, resolution="512,512") < sd_total(SDXL)
    assert sd_total(SDXL, optimizer_type="AdamW8bit") < sd_total(SDXL, optimizer_type="AdamW")
    assert sd_total(SDXL, sdpa=False) > sd_total(SDXL)
    assert sd_total(SDXL, mixed_precision="no") > sd_total(SDXL)


def test_flux_fp8_and_block_swap() -> None:
    assert sd_total(FLUX, fp8_base=True) < sd_total(FLUX)
    swapped = [sd_total(FLUX, fp8_base=True, blocks_to_swap=n) for n in (0, 16, 28)]
    assert swapped[0] > swapped[1] > swapped[2]
    assert sd_total(FLUX, cache_text_encoder_outputs=False) > sd_total(FLUX) + 8e9  # T5-XXL stays resident


def test_sd_nested_tables_and_lora_scripts_keys() -> None:
    nested = {"model": {"pretrained_model_name_or_path": "runwayml/stable-diffusion-v1-5"},
              "training": {"resolution": "512,512", "train_batch_size": 2}}  # fmt: skip
    est = estimate_sd(nested)
    assert est.kind == "sd1" and any("512x512, batch 2" in a for a in est.assumptions)
    ls = estimate_config(
        {"base_model": "models/sdxl_base.safetensors", "lora_rank": 8, "resolution": 1024}, "lora-scripts"
    )
    assert ls.kind == "sdxl" and ls.trainable_params > 0


def test_sd_family_from_safetensors_header(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "model.safetensors", {"double_blocks.0.img_attn.qkv.weight": (4, 4)})
    est = estimate_sd({"pretrained_model_name_or_path": "model.safetensors"}, base=tmp_path)
    assert est.kind == "flux" and est.model_source.startswith("safetensors header")


def test_sd_unknown_family() -> None:
    est = estimate_sd({"pretrained_model_name_or_path": "my_model.ckpt"})
    assert not est.known and est.model_source.startswith("unknown")


# --- the command --------------------------------------------------------------------------


def test_estimate_command_text_and_json(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("model_name_or_path: meta-llama/Llama-2-7b-hf\nstage: sft\ndo_train: true\n"
                      "finetuning_type: lora\ndataset: x\ntemplate: llama2\ncutoff_len: 1024\n"
                      "per_device_train_batch_size: 1\noutput_dir: out\n")  # fmt: skip
    text = runner.invoke(app, ["estimate", str(config)])
    assert text.exit_code == 0 and "total peak per GPU" in text.stdout and "catalogue" in text.stdout
    out = runner.invoke(app, ["estimate", str(config), "--format", "json", "--gpu-memory", "8GB"])
    document = json.loads(out.stdout)
    assert {"total_gib", "breakdown", "assumptions", "model_source"} <= set(document)
    assert set(document["breakdown"]) == {"weights", "trainable", "gradients", "optimizer", "activations", "overhead"}
    assert out.exit_code == 1 and document["fits"] is False
    assert runner.invoke(app, ["estimate", str(config), "--gpu-memory", "80GB"]).exit_code == 0
    assert runner.invoke(app, ["estimate", str(config), "--gpu-memory", "lots"]).exit_code == 2
    assert runner.invoke(app, ["estimate", str(tmp_path / "missing.yaml")]).exit_code == 2
    other = tmp_path / "other.yaml"
    other.write_text("foo: 1\n")
    assert runner.invoke(app, ["estimate", str(other)]).exit_code == 2
    unknown = tmp_path / "u.yaml"
    unknown.write_text(config.read_text().replace("meta-llama/Llama-2-7b-hf", "acme/nothing"))
    result = runner.invoke(app, ["estimate", "-f", "json", str(unknown)])
    assert result.exit_code == 1 and json.loads(result.stdout)["total_gib"] is None


def test_sd_v2_false_means_sd1_and_says_so() -> None:
    est = estimate_sd({"pretrained_model_name_or_path": "./model.ckpt", "v2": False, "network_dim": 8})
    assert est.kind == "sd1" and "v2 = false" in est.model_source
    assert "point the config at a local .safetensors" in estimate_sd({"base_model": "x.ckpt"}).render_text()


def test_benchmark_measured_ratios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        {"label": "0.5B", "config": {"model_name_or_path": "Qwen/Qwen2.5-0.5B", "cutoff_len": 512}, "peak_gib": 4.0},
        {"label": "unknown", "config": {"model_name_or_path": "acme/x"}, "peak_gib": 1.0},
    ]
    (tmp_path / "peaks.json").write_text(json.dumps(cases))
    ratios = _benchmark().measured(tmp_path / "peaks.json")
    expected = estimate_llm(cases[0]["config"]).total_gib
    assert expected is not None and ratios == [pytest.approx(expected / 4.0)]
    assert "no estimate" in capsys.readouterr().out


def test_reference_model_and_unsloth_checkpointing() -> None:
    dpo = {**LLAMA2, "stage": "dpo", "finetuning_type": "lora"}
    with_ref = estimate_llm({**dpo, "ref_model": "meta-llama/Llama-2-7b-hf"})
    assert with_ref.breakdown["weights"] == pytest.approx(2 * estimate_llm(dpo).breakdown["weights"])
    assert total(use_unsloth_gc=True) < total()


def test_lora_scripts_text_generation_maps_to_the_llm_estimate() -> None:
    config = {"task_type": "text-generation", "base_model": "Qwen/Qwen2.5-0.5B", "max_seq_length": 1024,
              "batch_size": 2, "lora_rank": 16, "mixed_precision": "bf16"}  # fmt: skip
    est = estimate_config(config, "lora-scripts")
    assert est.kind == "llm" and est.model_source == "catalogue qwen/qwen2.5-0.5b"
    assert any("batch 2 x cutoff_len 1024" in a for a in est.assumptions)


def test_estimate_reads_the_project_configuration_as_lint_does(tmp_path: Path) -> None:
    # gpus and gpu-memory in lorachecks.toml reach the estimate as they reach LC501's.
    config = tmp_path / "c.yaml"
    config.write_text(
        "model_name_or_path: meta-llama/Llama-2-7b-hf\nstage: sft\ndo_train: true\nfinetuning_type: full\n"
    )
    given = runner.invoke(app, ["estimate", "-f", "json", "--gpus", "4", "--gpu-memory", "8GB", str(config)])
    (tmp_path / "lorachecks.toml").write_text('gpus = 4\ngpu-memory = "8GB"\n')
    from_file = runner.invoke(app, ["estimate", "-f", "json", str(config)])
    isolated = runner.invoke(app, ["estimate", "-f", "json", "--isolated", str(config)])
    assert json.loads(from_file.stdout) == json.loads(given.stdout)
    assert json.loads(from_file.stdout)["budget_gib"] == 8 and "budget_gib" not in json.loads(isolated.stdout)
    assert json.loads(from_file.stdout)["gpus"] == 4 and json.loads(isolated.stdout)["gpus"] == 1
    bad = runner.invoke(app, ["estimate", "--gpus", "0", str(config)])
    assert bad.exit_code == 2 and "--gpus: must be a whole number of GPUs (1 or more), not 0" in bad.stderr


def test_lora_keeps_an_fp32_copy_of_each_wrapped_input() -> None:
    """peft casts a wrapped layer's bf16 input to the fp32 adapter weights' dtype and autograd
    keeps that copy: without gradient checkpointing every layer holds them (on an H100 the
    estimate was 0.81x the measured peak of such runs before they were counted)."""
    arch = LLM_CATALOGUE["meta-llama/llama-2-7b-hf"]
    base = {**LLAMA2, "bf16": True, "disable_gradient_checkpointing": True, "cutoff_len": 512}
    fp32_adapters = estimate_llm({**base, "lora_target": "q_proj,down_proj"})
    bf16_adapters = estimate_llm({**base, "lora_target": "q_proj,down_proj", "pure_bf16": True})
    copies = 4 * (arch.hidden + arch.intermediate) * arch.layers * 512  # q_proj reads hidden, down_proj the MLP width
    assert fp32_adapters.breakdown["activations"] - bf16_adapters.breakdown["activations"] == pytest.approx(copies)
    assert any("fp32 copy of its input" in note for note in fp32_adapters.assumptions)
    full = estimate_llm({**base, "finetuning_type": "full"})
    assert not any("fp32 copy" in note for note in full.assumptions)

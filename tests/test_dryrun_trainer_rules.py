"""`lorachecks dry-run` builds what LLaMA-Factory builds: chat-template tokens, OFT, value
heads, multimodal models, MoE on meta, freeze modules (tiny models built here, nothing is
downloaded). tests/differential compares the same cases with the real trainer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from lorachecks.dryrun.report import Report
from tests.test_dryrun import lf_config, line_of, run

HIDDEN = 32


def _lora_count(report: Report, rank: int = 8) -> int:
    """LoRA on q_proj and v_proj of the tiny Llama: A (rank x 32) + B (out x rank) per layer."""
    kv = HIDDEN // 4 * 2  # 2 key-value heads of head size 8
    return 2 * (rank * HIDDEN + HIDDEN * rank + rank * HIDDEN + kv * rank)


def test_oft_is_built_with_peft(tmp_path: Path, tiny_llama: Path) -> None:
    report = run(lf_config(tmp_path, tiny_llama, finetuning_type="oft", oft_block_size=8))
    assert report.ok, report.diagnostics
    assert report.adapter_modules == 4  # q_proj and v_proj in 2 layers
    assert report.trainable_params and report.grads is not None and report.grads.passed


def _pairs_dataset(tmp_path: Path) -> None:
    """A ranking dataset (chosen / rejected answers), the kind a reward model trains on."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    records = [{"instruction": "say hi", "input": "", "chosen": "hi there", "rejected": "no"}] * 4
    (data / "pairs.json").write_text(json.dumps(records))
    columns = {"prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected"}
    info = {"pairs": {"file_name": "pairs.json", "ranking": True, "columns": columns}}
    (data / "dataset_info.json").write_text(json.dumps(info))


def test_reward_model_has_a_value_head(tmp_path: Path, tiny_llama: Path) -> None:
    _pairs_dataset(tmp_path)
    sft = run(lf_config(tmp_path, tiny_llama, dataset="pairs", stage="dpo"))
    rm = run(lf_config(tmp_path, tiny_llama, dataset="pairs", stage="rm"))
    assert sft.trainable_params == _lora_count(sft)
    assert rm.trainable_params == _lora_count(rm) + HIDDEN + 1  # the head: hidden -> 1 score, with bias
    assert rm.grads is not None and rm.grads.zero_by_design >= 1  # its bias cancels in chosen - rejected
    assert not [d for d in rm.diagnostics if d.severity.value == "error"], rm.diagnostics


def test_lora_alpha_zero_is_read_as_unset(tmp_path: Path, tiny_llama: Path) -> None:
    path = lf_config(tmp_path, tiny_llama, lora_alpha=0)
    report = run(path, steps=2)
    warned = [d for d in report.diagnostics if d.code == "DR202"]
    assert report.ok and warned and "16" in warned[0].message  # twice lora_rank 8
    assert warned[0].line == line_of(path, "lora_alpha")
    assert report.losses[0] is not None and report.final_loss is not None and report.final_loss < report.losses[0]


def test_freeze_extra_module_not_found(tmp_path: Path, tiny_llama: Path) -> None:
    path = lf_config(tmp_path, tiny_llama, finetuning_type="freeze", freeze_extra_modules="embed_tokns")
    report = run(path)
    found = [d for d in report.diagnostics if d.code == "DR201"]
    assert found and "embed_tokens" in (found[0].hint or "")
    assert found[0].line == line_of(path, "freeze_extra_modules")


def test_report_says_which_versions_the_verdict_is_for(tmp_path: Path, tiny_llama: Path) -> None:
    import peft
    import transformers

    report = run(lf_config(tmp_path, tiny_llama), device="meta")
    assert report.libraries["peft"] == peft.__version__
    assert report.libraries["transformers"] == transformers.__version__
    assert report.as_dict()["libraries"] == report.libraries


def _tiny_config(folder: Path, config: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(folder)  # type: ignore[attr-defined]
    return folder


def test_moe_on_meta_in_fp32_and_experts_target(tmp_path: Path) -> None:
    from transformers import MixtralConfig

    model = _tiny_config(
        tmp_path / "mixtral",
        MixtralConfig(
            vocab_size=64,
            hidden_size=32,
            intermediate_size=32,
            num_local_experts=4,
            num_experts_per_tok=2,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=64,
        ),
    )
    # No bf16/fp16 key: the fused experts' default kernel has a meta version for bf16 only.
    report = run(lf_config(tmp_path, model, lora_target="all"), device="meta")
    assert report.ok, report.diagnostics
    path = lf_config(tmp_path, model, lora_target="experts")
    experts = run(path, device="meta")
    found = [d for d in experts.diagnostics if d.code == "DR201"]
    assert found and found[0].line == line_of(path, "lora_target")
    assert "MixtralExperts" in found[0].message and "\n" not in found[0].message
    assert found[0].message.endswith("the trainer stops")


def _tiny_qwen2_vl(tmp_path: Path) -> Path:
    from transformers import Qwen2VLConfig

    text = {
        "vocab_size": 64,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 64,
        "rope_scaling": {"type": "mrope", "mrope_section": [1, 1, 2]},
    }
    vision = {"depth": 1, "embed_dim": 16, "hidden_size": 32, "num_heads": 2, "mlp_ratio": 2}
    return _tiny_config(tmp_path / "qwen2vl", Qwen2VLConfig(text_config=text, vision_config=vision))


def test_vision_language_model_as_the_trainer_builds_it(tmp_path: Path) -> None:
    model = _tiny_qwen2_vl(tmp_path)
    report = run(lf_config(tmp_path, model, lora_target="all"), device="meta")
    assert report.ok, report.diagnostics
    names = report.adapter_module_names
    assert names and all(".language_model." in n for n in names)  # vision tower and projector stay frozen
    assert report.adapter_modules == 14  # 7 linear layers in each of 2 decoder layers
    full = run(lf_config(tmp_path, model, finetuning_type="full"), device="meta")
    assert full.trainable_params is not None and full.total_params is not None
    assert 0 < full.trainable_params < full.total_params  # the vision tower is frozen in full tuning too
    unfrozen = run(lf_config(tmp_path, model, lora_target="all", freeze_vision_tower=False), device="meta")
    assert unfrozen.adapter_modules is not None and unfrozen.adapter_modules > 14
    assert any(".visual.blocks." in n for n in unfrozen.adapter_module_names)
    assert not any("merger" in n for n in unfrozen.adapter_module_names)  # the projector stays out
    # Only the vision tower trainable on a text batch: the loss reaches nothing trainable.
    path = lf_config(tmp_path, model, finetuning_type="full", freeze_language_model=True, freeze_vision_tower=False)
    vision_only = run(path, device="meta")
    found = [d for d in vision_only.diagnostics if d.code == "DR303"]
    assert found and found[0].line == line_of(path, "finetuning_type")


def test_multimodal_template_without_processor_stops(tmp_path: Path) -> None:
    model = _tiny_qwen2_vl(tmp_path)
    path = lf_config(tmp_path, model, template="qwen2_vl")
    report = run(path, device="meta")
    found = [d for d in report.diagnostics if d.code == "DR107"]
    assert found and "Processor was not found" in found[0].message
    assert found[0].line == line_of(path, "template")


def test_text_batch_leaves_the_vision_tower_without_gradient_but_passes(tmp_path: Path) -> None:
    model = _tiny_qwen2_vl(tmp_path)
    report = run(lf_config(tmp_path, model, lora_target="all", freeze_vision_tower=False), init="random")
    assert report.ok, report.diagnostics
    assert any("vision tower" in n and "text only" in n for n in report.notes)


def test_all_leaves_out_only_what_llamafactory_leaves_out() -> None:
    """LLaMA-Factory's `all` skips names holding `lm_head`; an output head under another name
    (GPT-NeoX's `embed_out` in transformers <= 5.6) is adapted. Other trainers skip any head."""
    from types import SimpleNamespace

    from torch import nn

    from lorachecks.dryrun import lm
    from lorachecks.dryrun.config import Plan

    class Toy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.config = SimpleNamespace(model_type="gpt_neox")
            self.dense = nn.Linear(4, 4)
            self.embed_out = nn.Linear(4, 8)

        def get_output_embeddings(self) -> nn.Module:
            return self.embed_out

    def plan(kind: str) -> Plan:
        return Plan(path=Path("x.yaml"), kind=kind, model="m", model_key="model_name_or_path")

    assert lm.linear_names(Toy(), plan("llamafactory")) == ["dense", "embed_out"]
    assert lm.linear_names(Toy(), plan("lora-scripts-text")) == ["dense"]

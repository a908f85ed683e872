"""Every static LLaMA-Factory rule: a config that fails it and one that passes it."""

from __future__ import annotations

import pytest

from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig
from tests.conftest import BASE, LintText, codes

# (code, bad config, good config): each pair differs only in what the rule is about.
CASES = [
    ("LC001", "a: [1, 2\n", "a: [1, 2]\n"),
    ("LC002", BASE + "lora_rank: 8\nlora_rank: 16\n", BASE + "lora_rank: 16\n"),
    ("LC101", BASE + "lora_rnak: 8\n", BASE + "lora_rank: 8\n"),
    ("LC101", BASE + "loraAlpha: 16\n", BASE + "lora_alpha: 16\n"),
    ("LC102", BASE + "evaluation_strategy: 'no'\n", BASE + "eval_strategy: 'no'\n"),
    ("LC103", BASE.replace("dataset: alpaca_en_demo\n", ""), BASE),
    ("LC103", BASE.replace("model_name_or_path: Qwen/Qwen3-4B\n", ""), BASE),
    (
        "LC103",
        BASE.replace("stage: sft", "stage: ppo"),
        BASE.replace("stage: sft", "stage: ppo") + "reward_model: saves/rm\n",
    ),
    ("LC104", BASE + 'lora_rank: "16"\n', BASE + "lora_rank: 16\n"),
    ("LC104", BASE + "max_steps: ten\n", BASE + "max_steps: 10\n"),
    ("LC104", BASE + "lora_alpha: sixteen\n", BASE + "lora_alpha: 16\n"),
    ("LC104", BASE + 'learning_rate: "1e-4"\n', BASE + "learning_rate: 1e-4\n"),
    ("LC104", BASE + "lora_rank: 8.0\n", BASE + "lora_rank: 8\n"),
    ("LC108", BASE + "output_dir: ${oc.env:OUT}\n", BASE),
    ("LC105", BASE.replace("template: qwen3", "template: qwen2"), BASE),
    ("LC105", BASE.replace("stage: sft", "stage: sfft"), BASE),
    ("LC105", BASE.replace("finetuning_type: lora", "finetuning_type: qlora"), BASE),
    ("LC105", BASE + "lr_scheduler_type: cosin\n", BASE + "lr_scheduler_type: cosine\n"),
    ("LC105", BASE + "optim: adamw\n", BASE + "optim: adamw_torch\n"),
    ("LC105", BASE + "report_to: nonee\n", BASE + "report_to: none\n"),
    ("LC105", BASE + "report_to: wandb,tensorboard\n", BASE + "report_to: [wandb, tensorboard]\n"),
    ("LC106", BASE + "per_device_train_batch_size: 0\n", BASE + "per_device_train_batch_size: 1\n"),
    ("LC106", BASE + "gradient_accumulation_steps: 0\n", BASE + "gradient_accumulation_steps: 4\n"),
    ("LC106", BASE + "lora_rank: 0\n", BASE + "lora_rank: 8\n"),
    ("LC106", BASE + "learning_rate: -1.0e-4\n", BASE + "learning_rate: 1.0e-4\n"),
    ("LC106", BASE + "val_size: -0.1\n", BASE + "val_size: 1.5\n"),
    (
        "LC341",
        BASE.replace("finetuning_type: lora", "finetuning_type: full") + "quantization_bit: 4\n",
        BASE + "quantization_bit: 4\n",
    ),
    ("LC340", BASE + "fp16: true\n", BASE + "fp16: false\n"),
    ("LC346", BASE + "eval_strategy: steps\n", BASE + "eval_strategy: steps\nval_size: 0.1\n"),
    ("LC344", BASE + "eval_dataset: identity\nval_size: 0.1\n", BASE + "eval_dataset: identity\n"),
    (
        "LC343",
        BASE + "use_galore: true\noptim: adamw_torch\n",
        BASE.replace("finetuning_type: lora", "finetuning_type: full") + "use_galore: true\noptim: adamw_torch\n",
    ),
    (
        "LC342",
        BASE.replace("finetuning_type: lora", "finetuning_type: freeze") + "use_dora: true\n",
        BASE + "use_dora: true\n",
    ),
    ("LC345", BASE.replace("stage: sft", "stage: pt") + "neat_packing: true\n", BASE + "neat_packing: true\n"),
    ("LC344", BASE + "streaming: true\n", BASE + "streaming: true\nmax_steps: 100\n"),
    ("LC344", BASE + "mask_history: true\ntrain_on_prompt: true\n", BASE + "mask_history: true\n"),
    ("LC341", BASE + "quantization_bit: 3\n", BASE + "quantization_bit: 8\n"),
    (
        "LC346",
        BASE + "load_best_model_at_end: true\neval_strategy: epoch\nval_size: 0.1\n",
        BASE + "load_best_model_at_end: true\neval_strategy: steps\nval_size: 0.1\n",
    ),
    (
        "LC346",
        BASE + "lr_scheduler_type: reduce_lr_on_plateau\n",
        BASE + "lr_scheduler_type: reduce_lr_on_plateau\neval_strategy: steps\nval_size: 0.1\n",
    ),
    (
        "LC344",
        BASE.replace("template: qwen3", "template: glm4") + "train_on_prompt: true\n",
        BASE + "train_on_prompt: true\n",
    ),
    ("LC352", BASE + "resize_vocab: true\n", BASE + "resize_vocab: true\nadditional_target: embed_tokens,lm_head\n"),
    (
        "LC351",
        BASE.replace("finetuning_type: lora", "finetuning_type: full") + "use_galore: true\n",
        BASE.replace("finetuning_type: lora", "finetuning_type: full") + "use_galore: true\noptim: adamw_torch\n",
    ),
]


@pytest.mark.parametrize(("code", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails_bad_and_passes_good(lint_text: LintText, code: str, bad: str, good: str) -> None:
    assert code in codes(lint_text(bad))
    assert code not in codes(lint_text(good))


def test_diagnostic_points_at_key_line_and_value_column(lint_text: LintText) -> None:
    result = lint_text(BASE + "lora_rnak: 8\nlr_scheduler_type: cosin\n")
    unknown = next(d for d in result.diagnostics if d.code == "LC101")
    choice = next(d for d in result.diagnostics if d.code == "LC105")
    assert (unknown.line, unknown.column, unknown.key) == (9, 1, "lora_rnak")
    assert unknown.hint == "did you mean `lora_rank`?"
    assert (choice.line, choice.column) == (10, 20)
    assert choice.hint == "did you mean `cosine`?"


def test_pyyaml_dialect_hint_for_bare_exponent(lint_text: LintText) -> None:
    result = lint_text(BASE + "learning_rate: 2e-4\n", llamafactory_version="0.9.3")
    [diag] = [d for d in result.diagnostics if d.code == "LC104"]
    assert diag.hint == "PyYAML reads 2e-4 as text; write 2.0e-4"
    assert "LC104" not in codes(lint_text(BASE + "learning_rate: 2e-4\n"))  # OmegaConf: a float


def test_release_aware_unknown_key(lint_text: LintText) -> None:
    text = BASE + "hyper_parallel_cp_size: 1\n"  # only after 0.9.5
    assert "LC101" in codes(lint_text(text, llamafactory_version="0.9.5"))
    assert "LC101" not in codes(lint_text(text))


def test_removed_transformers_key_is_only_a_warning(lint_text: LintText) -> None:
    [diag] = [d for d in lint_text(BASE + "save_safetensors: true\n").diagnostics if d.code == "LC102"]
    assert diag.severity.value == "warning"


def test_invalid_field_does_not_trigger_cross_field_noise(lint_text: LintText) -> None:
    result = lint_text(BASE.replace("template: qwen3", "template: [qwen3]"))
    assert "LC104" in codes(result)
    assert "LC353" not in codes(result)  # "no template" would be wrong: it is set, badly


def test_schema_covers_every_reference_field() -> None:
    # The 350 train arguments of 0.9.5 plus the 27 keys the tracked commit added (the
    # `llamafactory-cli eval` arguments and init=False internals are not train keys).
    assert len(LlamaFactoryConfig.model_fields) == 377
    assert {"kt_config", "tensor_model_parallel_size", "eval_strategy", "lora_target"} <= set(
        LlamaFactoryConfig.model_fields
    )
    assert "compute_dtype" not in LlamaFactoryConfig.model_fields


def test_schema_checks_fields_only() -> None:
    # Checks between fields are rules (LC340 here); the model judges each value on its own.
    from pydantic import ValidationError

    model = LlamaFactoryConfig.model_validate({"model_name_or_path": "x", "fp16": True, "bf16": True}, strict=True)
    assert model.fp16 and model.bf16
    with pytest.raises(ValidationError, match="valid boolean"):
        LlamaFactoryConfig.model_validate({"fp16": "yes"}, strict=True)


@pytest.mark.parametrize("text", ["", "- model_name_or_path: x\n", "just a string\n"])
def test_not_a_mapping_when_the_format_is_given(lint_text: LintText, text: str) -> None:
    assert codes(lint_text(text, format="llamafactory")) == ["LC003"]
    detected = lint_text(text)
    assert detected.status == "skipped" and detected.reason


def test_a_multi_document_file_is_a_syntax_error(lint_text: LintText) -> None:
    assert codes(lint_text(BASE + "---\n" + BASE)) == ["LC001"]


def test_config_file_type(lint_text: LintText) -> None:
    as_json = '{"model_name_or_path": "Qwen/Qwen3-4B", "dataset": "x", "do_train": true, "output_dir": "o"}'
    assert "LC107" in codes(lint_text(as_json, name="c.json"))
    assert "LC107" not in codes(lint_text(as_json, name="c.json", llamafactory_version="0.9.4"))
    assert "LC107" in codes(lint_text(BASE, name="c.YAML"))
    assert "LC107" not in codes(lint_text(BASE, name="c.yaml"))


def test_quoted_boolean_severity_follows_the_trainer(lint_text: LintText) -> None:
    """LLaMA-Factory tests truthiness: "true" works by accident, "false" turns the option on."""
    works = [d for d in lint_text(BASE + 'plot_loss: "true"\n').diagnostics if d.code == "LC104"]
    assert [d.severity.value for d in works] == ["warning"]
    inverted = [d for d in lint_text(BASE + 'plot_loss: "false"\n').diagnostics if d.code == "LC104"]
    assert [d.severity.value for d in inverted] == ["error"]
    assert "turns `plot_loss` on" in inverted[0].message


def test_yaml_lists_and_float_alpha_are_accepted(lint_text: LintText) -> None:
    """LLaMA-Factory 0.9.5 trains with these (tests/differential): split_arg keeps lists, peft divides by alpha."""
    result = lint_text(
        BASE.replace("dataset: alpaca_en_demo", "dataset: [alpaca_en_demo]")
        + "lora_target: [q_proj, v_proj]\nlora_alpha: 16.0\n"
    )
    assert not [d for d in result.diagnostics if d.code in {"LC104", "LC105"}]

"""LLaMA-Factory values that run but not as written: chat template vs model (LC210), text
`None` and ints for booleans (LC104), choices the trainer keeps as text (LC105).

Each behaviour was checked with LLaMA-Factory 0.9.5 (tests/wild/llamafactory.toml).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from lorachecks.engine.linter import FileResult
from lorachecks.formats.llamafactory import model_templates
from tests.conftest import BASE, ROOT, LintText

REFERENCE = ROOT.parent / "shared" / "reference"


def _found(result: FileResult, code: str) -> list[tuple[str, str]]:
    return [(d.severity.value, d.message) for d in result.diagnostics if d.code == code]


def test_qwen_chat_model_with_llama3_template_names_the_right_one(lint_text: LintText) -> None:
    text = BASE.replace("Qwen/Qwen3-4B", "Qwen/Qwen2.5-7B-Instruct").replace("template: qwen3", "template: llama3")
    result = lint_text(text)
    [warning] = [d for d in result.diagnostics if d.code == "LC210"]
    assert warning.severity.value == "warning" and warning.hint == "use `template: qwen`"
    assert "`template: llama3` does not fit `Qwen/Qwen2.5-7B-Instruct`" in warning.message


@pytest.mark.parametrize(
    ("model", "template"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", "qwen"),
        ("Qwen/Qwen3-4B-Instruct-2507", "qwen3"),  # thinking and non-thinking variants fit
        # deepseek3 writes the same turns as deepseekr1 (it only adds no empty thought): a
        # users' config in the wild corpus, LLaMA-Factory 0.9.5 template.py
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "deepseek3"),
        ("Qwen/Qwen2.5-7B", "llama3"),  # a base model has no chat format of its own
        ("someone/unknown-model", "llama3"),
        ("saves/checkpoint-3000", "qwen"),
    ],
)
def test_fitting_or_unknown_models_are_not_reported(lint_text: LintText, model: str, template: str) -> None:
    text = BASE.replace("Qwen/Qwen3-4B", model).replace("template: qwen3", f"template: {template}")
    assert _found(lint_text(text), "LC210") == []


def test_model_is_known_by_folder_name_and_config_json(tmp_path: Path, lint_text: LintText) -> None:
    # An Ollama-style tag names the same model (a user's config in the wild corpus).
    tagged = BASE.replace("Qwen/Qwen3-4B", "qwen2.5-coder:7b-instruct").replace("template: qwen3", "template: llama3")
    assert [s for s, _ in _found(lint_text(tagged), "LC210")] == ["warning"]
    folder = tmp_path / "models" / "my-finetune"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"_name_or_path": "meta-llama/Meta-Llama-3-8B-Instruct"}))
    local = BASE.replace("Qwen/Qwen3-4B", "models/my-finetune")
    [(severity, message)] = _found(lint_text(local, path_checks=True), "LC210")
    assert severity == "warning"
    assert "tuned with the `llama3` template (meta-llama/Meta-Llama-3-8B-Instruct)" in message
    assert _found(lint_text(local), "LC210") == []  # without path checks the folder is not read


def test_a_format_of_other_markup_is_still_reported_for_a_reasoning_model(lint_text: LintText) -> None:
    text = BASE.replace("Qwen/Qwen3-4B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B").replace(
        "template: qwen3", "template: qwen"
    )
    [(severity, message)] = _found(lint_text(text), "LC210")
    assert severity == "warning" and "tuned with the `deepseekr1` template" in message


def test_pretraining_is_not_checked(lint_text: LintText) -> None:
    text = BASE.replace("template: qwen3", "template: llama3").replace("stage: sft", "stage: pt")
    assert _found(lint_text(text), "LC210") == []


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside this checkout")
def test_model_template_table_is_generated_from_the_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "tools" / "gen_llamafactory_model_templates.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    monkeypatch.setattr(generator, "OUT", tmp_path / "model_templates.py")
    generator.main(REFERENCE)
    assert (tmp_path / "model_templates.py").read_text(encoding="utf-8") == Path(model_templates.__file__).read_text(
        encoding="utf-8"
    ), "stale: run python tools/gen_llamafactory_model_templates.py ../shared/reference"


def test_text_none_for_a_boolean_says_it_acts_as_true(lint_text: LintText) -> None:
    [(severity, message)] = _found(lint_text(BASE + "enable_thinking: None\n"), "LC104")
    assert severity == "error" and "not null" in message and "`enable_thinking` is on" in message
    assert _found(lint_text(BASE + "enable_thinking: null\n"), "LC104") == []


def test_int_for_a_boolean_runs_as_written(lint_text: LintText) -> None:
    [(severity, message)] = _found(lint_text(BASE + "save_only_model: 1\n"), "LC104")
    assert severity == "info" and "acts as `true` (runs as written)" in message
    # enable_thinking is compared with `is False`: 0 does not do what false does.
    [(severity, _message)] = _found(lint_text(BASE + "enable_thinking: 0\n"), "LC104")
    assert severity == "error"


def test_unknown_quantization_method_says_quantization_is_skipped(lint_text: LintText) -> None:
    text = BASE + "quantization_bit: 4\nquantization_method: bitsandbytes\n"
    [(severity, message)] = _found(lint_text(text), "LC105")
    assert severity == "error" and "loads unquantized" in message


def test_dataset_formatting_as_template_is_explained(lint_text: LintText) -> None:
    result = lint_text(BASE.replace("template: qwen3", "template: sharegpt"))
    [diag] = [d for d in result.diagnostics if d.code == "LC105"]
    assert "does not exist" in diag.message and "formatting" in (diag.hint or "")

"""The effective values of a LLaMA-Factory config (formats/llamafactory/values.py): one view,
built alike by the fast path and by Pydantic, that the rules between fields read."""

from __future__ import annotations

from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import read_config
from lorachecks.formats.llamafactory import fast
from lorachecks.formats.llamafactory.resolve import config_of
from lorachecks.formats.llamafactory.values import LlamaFactoryValues, split_names
from lorachecks.rules.context import RuleContext
from tests.conftest import BASE, LintText, codes


def values_of(tmp_path: Path, text: str) -> tuple[LlamaFactoryValues, RuleContext]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    settings = Settings(path_checks=False, launch_dir=tmp_path)
    doc, fmt = read_config(path, "yaml", settings, text)
    ctx = RuleContext(doc, fmt, settings)
    config = config_of(ctx)
    assert config is not None
    return config, ctx


@pytest.mark.parametrize("path", ["fast", "pydantic"])
def test_both_validation_paths_build_the_same_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    if path == "pydantic":
        monkeypatch.setattr(fast, "compiled", lambda: None)
        fast.field_defaults.cache_clear()
    try:
        config, ctx = values_of(tmp_path, BASE + "dataset: a, b ,\nnum_train_epochs: 2\nlora_rank: sixteen\n")
    finally:
        fast.field_defaults.cache_clear()
    assert config.dataset == "a, b ," and config.datasets == ["a", "b"]
    assert config.num_train_epochs == 2.0 and type(config.num_train_epochs) is float  # as Pydantic stores it
    assert config.lora_rank == 8  # refused (LC104): the default, and not counted as set
    assert "lora_rank" in ctx.validation.field_errors
    assert config.is_set("bf16", "fp16") and not config.is_set("fp16", "lora_rank")
    assert (
        config.include_for_metrics == []
        and config.include_for_metrics is not LlamaFactoryValues({}, ()).include_for_metrics
    )


def test_derived_facts(tmp_path: Path) -> None:
    config, _ = values_of(tmp_path, BASE + "eval_strategy: steps\nreport_to: wandb\nadapter_name_or_path: a,b\n")
    assert config.evaluates  # transformers turns do_eval on for an eval strategy
    assert config.reporters == ["wandb"] and config.adapters == ["a", "b"]
    plain, _ = values_of(tmp_path, BASE)
    assert not plain.evaluates and plain.reporters == ["none"] and plain.adapters == []
    assert split_names(["x", " y "]) == ["x", "y"] and split_names(None) == []


def test_a_check_between_fields_never_blames_a_refused_value(lint_text: LintText) -> None:
    # save_steps is refused (LC104) and stands at its default 500 in the view: LC346 would
    # otherwise say "500 must be a multiple of eval_steps (300)", a value the user never wrote.
    schedule = "load_best_model_at_end: true\neval_strategy: steps\neval_steps: 300\nval_size: 0.1\n"
    assert codes(lint_text(BASE + schedule + "save_steps: often\n")) == ["LC104"]
    assert codes(lint_text(BASE + schedule + "save_steps: 500\n")) == ["LC346"]

"""Field errors carry what the field accepts as data (issue 14): choices and bounds come from
the field's declaration, and the messages worded from them say what Pydantic says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file
from lorachecks.formats import LINTABLE, by_name
from lorachecks.formats.llamafactory import fast
from lorachecks.formats.validation import BOUNDS, Allowed, allowed_of_field
from lorachecks.rules.field_errors import range_bound, shown_choice

SCHEMAS: list[type[BaseModel]] = [by_name(name).schema for name in LINTABLE]
FIELDS = [(schema, name) for schema in SCHEMAS for name in schema.model_fields]


def _id(case: tuple[type[BaseModel], str]) -> str:
    return f"{case[0].__name__}.{case[1]}"


def _errors(schema: type[BaseModel], name: str, value: Any) -> list[Any]:
    try:
        schema.model_validate({name: value}, strict=True, context={"findings": []})
    except ValidationError as exc:
        return [e for e in exc.errors(include_url=False) if e["loc"][:1] == (name,)]
    return []


def _pydantic_expected(choices: tuple[Any, ...]) -> str:
    """How Pydantic lists literal values ("'a', 'b' or 3")."""
    names = [repr(c) if isinstance(c, str) else str(c) for c in choices]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def test_the_compiled_table_and_the_model_declare_the_same_choices_and_bounds() -> None:
    module = fast.compiled()
    assert module is not None
    schema = by_name("llamafactory").schema
    for name, info in schema.model_fields.items():
        assert fast.allowed_of_spec(module.FIELDS[name][0]) == allowed_of_field(info), name


def test_some_fields_of_every_format_have_choices_or_bounds() -> None:
    declared = {
        schema.__name__: sum(1 for info in schema.model_fields.values() if allowed_of_field(info) != Allowed())
        for schema in SCHEMAS
    }
    assert declared["LlamaFactoryConfig"] >= 20 and declared["LoraScriptsConfig"] >= 8
    assert declared["KohyaConfig"] >= 10, declared


@pytest.mark.parametrize("case", [c for c in FIELDS if allowed_of_field(c[0].model_fields[c[1]]).choices], ids=_id)
def test_choices_as_data_are_the_ones_pydantic_lists(case: tuple[type[BaseModel], str]) -> None:
    schema, name = case
    allowed = allowed_of_field(schema.model_fields[name])
    listed = {
        e["ctx"]["expected"]
        for value in ("__not_a_choice__", 12345, 7)
        for e in _errors(schema, name, value)
        if e["type"] == "literal_error" and not any(isinstance(part, int) for part in e["loc"])
    }
    assert listed == {_pydantic_expected(allowed.choices)}


def _breaking(bound: str, limit: float, integer: bool) -> int | float:
    step = 1 if integer else 0.5
    below = limit if bound == "gt" else limit - step
    above = limit if bound == "lt" else limit + step
    return below if bound in ("ge", "gt") else above


@pytest.mark.parametrize("case", [c for c in FIELDS if allowed_of_field(c[0].model_fields[c[1]]).bounds], ids=_id)
def test_bounds_as_data_word_the_message_pydantic_gives(case: tuple[type[BaseModel], str]) -> None:
    schema, name = case
    allowed = allowed_of_field(schema.model_fields[name])
    for bound, limit in allowed.bounds:
        assert bound in BOUNDS
        for integer in (True, False):
            errors = _errors(schema, name, _breaking(bound, limit, integer))
            ranges = [e for e in errors if e["type"] == BOUNDS[bound][0]]
            if not ranges:
                continue  # an integer field refuses the float as a type error
            assert ranges[0]["msg"] == f"Input should be {range_bound(allowed, errors)}", (name, bound, limit)
            break
        else:
            pytest.fail(f"no value broke {name}'s bound {bound} {limit}")


def test_a_boolean_choice_is_shown_as_the_file_writes_it() -> None:
    assert [shown_choice(c) for c in ("sigmoid", 4, False, True)] == ["sigmoid", "4", "false", "true"]


CASES = [
    (
        "x.yaml",
        "model_name_or_path: m\nstage: sft\nquantization_bit: 7\npref_loss: sigmod\nlora_dropout: 1.5\n"
        "learning_rate: -1.0\nlora_rank: 0\n",
        {
            ("LC105", "`quantization_bit` does not accept 7; valid values: 2, 3, 4, 5, 6, 8"),
            ("LC105", "`pref_loss` does not accept 'sigmod'; valid values: sigmoid, hinge, ipo, kto_pair, orpo, simpo"),
            ("LC106", "`lora_dropout` must be less than 1 (got 1.5)"),
            ("LC106", "`learning_rate` must be greater than 0 (got -1.0)"),
            ("LC106", "`lora_rank` must be greater than or equal to 1 (got 0)"),
        },
    ),
    (
        "y.yaml",
        "task_type: text-to-image\nbase_model: m.safetensors\ntrain_data_dir: d\nmetadata_path: m.csv\n"
        "output_dir: o\nmixed_precision: fp8\nresolution: 32\n",
        {
            ("LC105", "`mixed_precision` does not accept 'fp8'; valid values: no, fp16, bf16"),
            ("LC106", "`resolution` must be greater than or equal to 64 (got 32)"),
        },
    ),
]


@pytest.mark.parametrize("pydantic_only", [False, True])
@pytest.mark.parametrize(("name", "text", "expected"), CASES)
def test_choice_and_range_messages_on_both_validation_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pydantic_only: bool, name: str, text: str, expected: set[Any]
) -> None:
    if pydantic_only:
        monkeypatch.setattr(fast, "compiled", lambda: None)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = {(d.code, d.message) for d in lint_file(path, Settings(path_checks=False)).diagnostics}
    assert expected <= found, found - expected


HINTS = [
    (
        "x.yaml",
        "model_name_or_path: m\nstage: sft\nlearning_rate: '2.0e-4'\n",
        "learning_rate",
        "remove the quotes: the trainer passes '2.0e-4' through as text",
    ),
    ("x.yaml", "model_name_or_path: m\nstage: sft\nuse_dora: 'true'\n", "use_dora", "remove the quotes"),
    ("x.yaml", "model_name_or_path: m\nstage: sft\noutput_dir: 5\n", "output_dir", 'quote it: "5"'),
    (
        "y.yaml",
        "task_type: text-to-image\nbase_model: m\nlearning_rate: 2e-4\n",
        "learning_rate",
        "PyYAML reads 2e-4 as text; write 2.0e-4",
    ),
    (
        "y.yaml",
        "task_type: text-to-image\nbase_model: m\nbatch_size: 1e3\n",
        "batch_size",
        "PyYAML reads 1e3 as text; write 1000",
    ),
]


@pytest.mark.parametrize(("name", "text", "key", "hint"), HINTS)
def test_type_hints_follow_the_accepted_types(tmp_path: Path, name: str, text: str, key: str, hint: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [found] = [
        d for d in lint_file(path, Settings(path_checks=False)).diagnostics if d.code == "LC104" and d.key == key
    ]
    assert found.hint == hint

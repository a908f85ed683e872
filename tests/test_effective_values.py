"""Defaults are written once (issue 14): the estimate, the LC5xx plan and the dry-run read
a key the file leaves out from the format's field data, through formats/effective.py."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lorachecks.core.settings import Settings
from lorachecks.dryrun.config import read_config
from lorachecks.dryrun.distributed import batch_problem
from lorachecks.engine.linter import lint_file
from lorachecks.estimate import estimate_config
from lorachecks.estimate.plan import plan_of
from lorachecks.formats import by_name, effective
from lorachecks.formats.kohya.fields import DEFAULTS as KOHYA_DEFAULTS
from lorachecks.formats.llamafactory import fast
from lorachecks.loader import load_text
from tests.sd_fixtures import lora_scripts_images, write_png

LF = by_name("llamafactory").schema
LS = by_name("lora-scripts").schema


def test_llamafactory_defaults_are_the_schema_fields() -> None:
    values = effective.llamafactory({})
    model = LF.model_construct()
    for name in LF.model_fields:
        assert values[name] == getattr(model, name), name


def test_kohya_and_lora_scripts_defaults_are_their_field_tables() -> None:
    kohya = effective.kohya({})
    assert {name: kohya[name] for name in KOHYA_DEFAULTS} == KOHYA_DEFAULTS
    lora_scripts = effective.lora_scripts({})
    assert {name: lora_scripts[name] for name in LS.model_fields} == {
        name: info.default for name, info in LS.model_fields.items()
    }


@pytest.mark.parametrize(
    ("reader", "name"),
    [
        (effective.llamafactory, "use_ref_model"),
        (effective.kohya, "lora_rank"),
        (effective.lora_scripts, "network_dim"),
    ],
)
def test_a_name_the_format_does_not_have_is_a_key_error(
    reader: Callable[[dict[str, Any]], effective.Effective], name: str
) -> None:
    with pytest.raises(KeyError):
        reader({})[name]


def test_written_typed_and_position(tmp_path: Path) -> None:
    text = "model_name_or_path: m\ncutoff_len: '4096'\nlora_rank: 16\npacking: null\nuse_dora: 1\nfreeze_trainable_layers: true\n"
    doc = load_text(tmp_path / "x.yaml", text, "yaml", "omegaconf")
    values = effective.llamafactory(doc.mapping, doc)
    assert values["lora_rank"] == 16 and values.written("lora_rank") and not values.written("stage")
    assert values["cutoff_len"] == "4096" and values.typed("cutoff_len", int) == 2048  # text: the schema's error
    assert values.typed("use_dora", bool) is False  # an int is not a flag: the default
    assert values.typed("freeze_trainable_layers", int) == 2  # nor a flag a number
    position = values.position("lora_rank")
    assert position is not None and (position.line, position.column) == (3, 12)
    assert values.position("stage") is None
    assert effective.llamafactory_packs(values) is False  # null: only pre-training packs
    assert effective.llamafactory_packs(effective.llamafactory({"stage": "pt"})) is True


def test_a_kohya_key_in_any_table_has_a_position(tmp_path: Path) -> None:
    doc = load_text(tmp_path / "x.toml", "[network]\nnetwork_dim = 8\n", "toml", "kohya")
    position = effective.kohya({"network_dim": 8}, doc).position("network_dim")
    assert position is not None and position.line == 2


def test_a_key_written_in_two_tables_is_found_where_the_winning_value_is(tmp_path: Path) -> None:
    text = "[a]\nnetwork_dim = 8\n[b]\nnetwork_dim = 16\n"
    doc = load_text(tmp_path / "x.toml", text, "toml", "toml")
    assert doc.flat_path("network_dim") == ("b", "network_dim") and doc.flat_path("seed") is None
    top = load_text(tmp_path / "y.toml", "network_dim = 4\n[a]\nnetwork_dim = 8\n", "toml", "toml")
    assert top.flat_path("network_dim") == ("network_dim",)


# --- every reader follows the field data ---------------------------------------------------
def _patched(monkeypatch: pytest.MonkeyPatch, reader: str, changed: dict[str, Any]) -> None:
    original = getattr(effective, reader)
    monkeypatch.setattr(effective, reader, lambda name: changed[name] if name in changed else original(name))


LLAMA = """\
model_name_or_path: meta-llama/Llama-2-7b-hf
stage: sft
do_train: true
finetuning_type: lora
dataset: mine
template: llama2
output_dir: saves/x
"""


def test_llamafactory_readers_take_their_defaults_from_the_field_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = {"cutoff_len": 8192, "per_device_train_batch_size": 3, "lora_rank": 12, "gradient_accumulation_steps": 5}
    # One table for the raw readers (effective.py) and the rules' validated view (values.py).
    values, factories = fast.field_defaults()
    monkeypatch.setattr(fast, "field_defaults", lambda: ({**values, **changed}, factories))
    config = load_text(tmp_path / "x.yaml", LLAMA, "yaml", "omegaconf").mapping
    notes = " ".join(estimate_config(config, "llamafactory").assumptions)
    assert "batch 3 x cutoff_len 8192 tokens" in notes and "LoRA rank 12" in notes
    assert "transformers' default 3" in notes
    plan = plan_of(config, "llamafactory", tmp_path)
    assert (plan.batch, plan.accumulation, plan.rank, plan.alpha) == (3, 5, 12, 24.0)
    (tmp_path / "ds.json").write_text(
        json.dumps({"train_micro_batch_size_per_gpu": 3, "gradient_accumulation_steps": 5})
    )
    assert batch_problem({**config, "deepspeed": "ds.json"}, tmp_path, 1) is None
    # LC507: Llama-2 has 4096 positions; the (patched) default cutoff_len exceeds it.
    path = tmp_path / "c.yaml"
    path.write_text(LLAMA)
    [lc507] = [d for d in lint_file(path, Settings(path_checks=False)).diagnostics if d.code == "LC507"]
    assert lc507.message == "cutoff_len 8192 (LLaMA-Factory's default) exceeds the model's context of 4096 tokens"


def test_dry_run_plans_take_their_defaults_from_the_field_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _patched(monkeypatch, "_llamafactory_default", {"cutoff_len": 777, "lora_dropout": 0.25, "seed": 3})
    _patched(monkeypatch, "_kohya_default", {"train_batch_size": 6, "network_alpha": 2.5, "max_grad_norm": 0.5})
    _patched(monkeypatch, "_lora_scripts_default", {"resolution": 640, "lora_rank": 6, "batch_size": 2})
    lf = tmp_path / "lf.yaml"
    lf.write_text("model_name_or_path: ./m\nstage: sft\nfinetuning_type: lora\n")
    plan = read_config(lf, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and (plan.seq_len, plan.dropout, plan.seed) == (777, 0.25, 3)
    kohya = tmp_path / "k.toml"
    kohya.write_text('pretrained_model_name_or_path = "./m.safetensors"\nnetwork_module = "networks.lora"\n')
    plan = read_config(kohya, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and (plan.batch_size, plan.alpha, plan.max_grad_norm) == (6, 2.5, 0.5)
    lora_scripts_images(tmp_path / "images")
    ls = tmp_path / "ls.yaml"
    ls.write_text(
        "task_type: text-to-image\nbase_model: ./sd\ntrain_data_dir: ./images\n"
        "metadata_path: ./images/metadata.csv\noutput_dir: ./out\n"
    )
    plan = read_config(ls, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and (plan.resolution, plan.rank, plan.alpha, plan.batch_size) == ((640, 640), 6, 6.0, 2)


def test_sd_estimate_and_plan_take_their_defaults_from_the_field_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _patched(monkeypatch, "_kohya_default", {"train_batch_size": 3, "max_train_steps": 77, "mixed_precision": "bf16"})
    _patched(monkeypatch, "_lora_scripts_default", {"lora_rank": 5, "epochs": 4})
    kohya = {"pretrained_model_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0", "resolution": "1024"}
    notes = " ".join(estimate_config(kohya, "kohya").assumptions)
    assert "batch 3" in notes and "weights in bf16" in notes
    plan = plan_of(kohya, "kohya", tmp_path)
    assert (plan.batch, plan.max_steps, plan.max_steps_key) == (3, 77, None)
    ls = {"base_model": "stabilityai/stable-diffusion-xl-base-1.0", "resolution": 1024}
    assert "LoRA dim 5" in " ".join(estimate_config(ls, "lora-scripts").assumptions)
    plan = plan_of(ls, "lora-scripts", tmp_path)
    assert (plan.rank, plan.epochs, plan.epochs_key) == (5, 4.0, None)


# --- values that were restated wrongly -----------------------------------------------------
def test_kohya_dry_run_learning_rate_is_sd_scripts_default(tmp_path: Path) -> None:
    """sd-scripts' --learning_rate defaults to 2e-6 (train_util.add_optimizer_arguments); the
    dry-run used to train such a config at 1e-4."""
    path = tmp_path / "k.toml"
    path.write_text('pretrained_model_name_or_path = "./m.safetensors"\nnetwork_module = "networks.lora"\n')
    plan = read_config(path, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and (plan.lr_key, plan.learning_rate, plan.rank, plan.alpha) == (
        "learning_rate",
        2e-6,
        4,
        1.0,
    )


def test_lora_scripts_trains_one_epoch_unless_told_and_max_train_steps_decides(tmp_path: Path) -> None:
    base = {"base_model": "m.safetensors", "train_data_dir": "train"}
    assert plan_of(base, "lora-scripts", tmp_path).epochs == 1.0
    plan = plan_of({**base, "epochs": 10, "max_train_steps": 30}, "lora-scripts", tmp_path)
    assert (plan.total_steps(1), plan.max_steps_key) == (30, "max_train_steps")


DPO = """\
model_name_or_path: meta-llama/Llama-2-7b-hf
stage: {stage}
finetuning_type: full
pref_loss: {loss}
bf16: true
"""


@pytest.mark.parametrize(
    ("stage", "loss", "copy"),
    [("dpo", "sigmoid", True), ("dpo", "orpo", False), ("dpo", "simpo", False), ("kto", "sigmoid", True)],
)
def test_reference_model_copy_follows_llamafactory(stage: str, loss: str, copy: bool) -> None:
    """LLaMA-Factory's use_ref_model: DPO except its reference-free losses; KTO always."""
    config = load_text(Path("x.yaml"), textwrap.dedent(DPO.format(stage=stage, loss=loss)), "yaml", "omegaconf").mapping
    assert ("a frozen reference model copy" in estimate_config(config, "llamafactory").assumptions) is copy


def test_lora_scripts_image_rules_read_the_schema_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lora_scripts_images(tmp_path / "images", size=256)
    path = tmp_path / "ls.yaml"
    path.write_text(
        "task_type: text-to-image\nbase_model: ./sd.safetensors\ntrain_data_dir: ./images\n"
        "metadata_path: ./images/metadata.csv\noutput_dir: ./out\n"
    )
    settings = Settings(launch_dir=tmp_path)

    def lc403() -> list[str]:
        return [d.message for d in lint_file(path, settings).diagnostics if d.code == "LC403"]

    assert lc403() == ["2 of 2 image(s) are smaller than 512x512: they are upscaled and train blurry"]
    _patched(monkeypatch, "_lora_scripts_default", {"resolution": 192})
    assert lc403() == []


@pytest.mark.parametrize(
    ("written", "built"),
    [
        ({}, "AdamW"),
        ({"optimizer_type": ""}, "AdamW"),  # get_optimizer treats "" as unset
        ({"use_8bit_adam": True}, "AdamW8bit"),
        ({"use_lion_optimizer": True}, "Lion"),
        ({"optimizer_type": "Prodigy"}, "Prodigy"),
    ],
)
def test_estimate_and_plan_name_the_optimizer_sd_scripts_builds(
    tmp_path: Path, written: dict[str, Any], built: str
) -> None:
    config = {"pretrained_model_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0", **written}
    assert plan_of(config, "kohya", tmp_path).optimizer == built
    notes = " ".join(estimate_config(config, "kohya").assumptions)
    assert f"; {built}: " in notes and "not in the table" not in notes


def test_lc406_counts_steps_with_the_field_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "train" / "2_cat"
    folder.mkdir(parents=True)
    for i in range(4):
        write_png(folder / f"{i}.png", 64, 64)
        (folder / f"{i}.txt").write_text("a cat")
    path = tmp_path / "k.toml"
    path.write_text('pretrained_model_name_or_path = "./m.safetensors"\ntrain_data_dir = "./train"\n')

    def lc406() -> str:
        [found] = [d.message for d in lint_file(path, Settings(launch_dir=tmp_path)).diagnostics if d.code == "LC406"]
        return found

    assert lc406().endswith("batch 1, accumulation 1: 8 step(s) per epoch; max_train_steps 1600 = about 200.0 epoch(s)")
    _patched(monkeypatch, "_kohya_default", {"train_batch_size": 2, "max_train_steps": 40})
    assert lc406().endswith("batch 2, accumulation 1: 4 step(s) per epoch; max_train_steps 40 = about 10.0 epoch(s)")


def test_estimate_reads_a_yaml_list_of_lora_targets_as_the_trainer_does() -> None:
    """LLaMA-Factory splits `lora_target` from text or takes a list; the estimate counted a list as `all`."""
    model = {"model_name_or_path": "meta-llama/Llama-2-7b-hf"}
    listed = estimate_config({**model, "lora_target": ["q_proj", "v_proj"]}, "llamafactory")
    written = estimate_config({**model, "lora_target": "q_proj,v_proj"}, "llamafactory")
    everything = estimate_config(model, "llamafactory")
    assert listed.trainable_params == written.trainable_params < everything.trainable_params


def test_deepspeed_arguments_take_the_field_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from lorachecks.dryrun.zero import zero_args

    values, factories = fast.field_defaults()
    changed = {"adam_beta2": 0.95, "warmup_steps": 7, "per_device_train_batch_size": 3}
    monkeypatch.setattr(fast, "field_defaults", lambda: ({**values, **changed}, factories))
    args = zero_args({"gradient_accumulation_steps": 2}, "/ds.json", 1)
    assert (args.adam_beta2, args.warmup_steps, args.per_device_train_batch_size) == (0.95, 7, 3)
    assert args.gradient_accumulation_steps == 2


@pytest.mark.parametrize(
    ("written", "built"),
    [("", "AdamW"), ("use_8bit_adam = true\n", "AdamW8bit"), ("use_lion_optimizer = true\n", "Lion")],
)
def test_the_kohya_rules_view_names_the_same_optimizer(tmp_path: Path, written: str, built: str) -> None:
    from lorachecks.rules.context import RuleContext

    text = f'pretrained_model_name_or_path = "m.safetensors"\n{written}'
    doc = load_text(tmp_path / "k.toml", text, "toml", "kohya")
    config = RuleContext(doc, by_name("kohya"), Settings()).validation.config
    assert config.optimizer == built == effective.kohya_optimizer(doc.mapping)


def test_kohya_text_arguments_without_a_stated_default_are_empty_text() -> None:
    """sd-scripts declares optimizer_type, lr_scheduler_type and keep_tokens_separator with
    default="" (the reference table leaves the cell empty): the field table says so now."""
    kohya = effective.kohya({})
    assert [kohya[n] for n in ("optimizer_type", "lr_scheduler_type", "keep_tokens_separator")] == ["", "", ""]

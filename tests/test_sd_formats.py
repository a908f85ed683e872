"""lora-scripts YAML and kohya / SD-Trainer TOML: detection, schema and cross-field rules."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file, lint_paths
from lorachecks.report import Run
from lorachecks.report.text_format import render
from tests.conftest import CORPUS, ROOT, LintText, codes, errors

SD_CORPUS = CORPUS / "sd"
needs_sd_corpus = pytest.mark.skipif(not SD_CORPUS.is_dir(), reason="../shared/corpus/sd is not beside this checkout")

KOHYA_BASE = """\
[model]
pretrained_model_name_or_path = "/models/sd15.safetensors"
[training]
output_dir = "out"
"""


@needs_sd_corpus
def test_sd_corpus_has_no_errors() -> None:
    results = list(lint_paths([SD_CORPUS], Settings(path_checks=False, launch_dir=SD_CORPUS)))
    assert [d for r in results for d in r.diagnostics if d.severity.value == "error"] == []
    checked = {r.path.name: r.format for r in results if r.status == "checked"}
    assert checked["default.toml"] == "kohya"
    assert checked["lora_scz.toml"] == "kohya-dataset"
    assert sum(1 for f in checked.values() if f == "kohya") == 6
    assert sum(1 for f in checked.values() if f == "kohya-dataset") == 4
    skipped = {r.format for r in results if r.status == "skipped"}
    assert {"sd-trainer-preset", "lycoris-preset", "kohya-ss-preset", "accelerate"} <= skipped


@needs_sd_corpus
def test_default_toml_unknown_key_suggests_the_sd_scripts_name() -> None:
    path = SD_CORPUS / "Akegarasu__lora-scripts" / "config" / "default.toml"
    result = lint_file(path, Settings(path_checks=False))
    (diag,) = [d for d in result.diagnostics if d.code == "LC101"]
    # `lr_restart_cycles = 1`: sd-scripts ignores it, but 1 is lr_scheduler_num_cycles' default.
    assert diag.severity.value == "info"
    assert (diag.line, diag.key) == (28, "lr_restart_cycles")
    assert diag.hint == "remove it, or write `lr_scheduler_num_cycles`"


@pytest.mark.parametrize(
    ("text", "severity", "hint"),
    [
        # another tool's spelling with a value the run then lacks
        ('lr_scheduler = "cosine_with_restarts"\nlr_restart_cycles = 3', "warning", "did you mean"),
        # kohya_ss writes `epoch` beside `max_train_epochs`: the same value changes nothing
        ("max_train_epochs = 10\nepoch = 10", "info", "remove it"),
        ("max_train_epochs = 10\nepoch = 4", "warning", "did you mean"),
        # a GUI key that only resembles an option: no did-you-mean towards a different option
        ('noise_offset_type = "Original"', "info", "remove it"),
        # a one-edit typo of an option, not yet set
        ("network_dimm = 16", "warning", "did you mean `network_dim`?"),
    ],
)
def test_kohya_unknown_key_severity_follows_its_effect(
    lint_text: LintText, text: str, severity: str, hint: str
) -> None:
    result = lint_text('network_module = "networks.lora"\n' + text, name="t.toml")
    (diag,) = [d for d in result.diagnostics if d.code == "LC101"]
    assert diag.severity.value == severity
    assert diag.hint is not None and diag.hint.startswith(hint)


@pytest.mark.parametrize(
    ("text", "effect"),
    [
        # the warning names what the run really uses instead of the ignored value
        ("max_train_epochs = 10\nepoch = 4", "this run uses `max_train_epochs` = 10, not 4"),
        (
            'lr_scheduler = "cosine_with_restarts"\nlr_restart_cycles = 3',
            "`lr_scheduler_num_cycles` stays at its default 1",
        ),
        ("network_dimm = 16", "`network_dim` stays unset"),
    ],
)
def test_kohya_unknown_key_warning_names_what_the_run_uses(lint_text: LintText, text: str, effect: str) -> None:
    result = lint_text('network_module = "networks.lora"\n' + text, name="t.toml")
    (diag,) = [d for d in result.diagnostics if d.code == "LC101"]
    assert diag.severity.value == "warning"
    assert effect in diag.message


def test_seed_example_gives_three_errors_at_the_right_lines() -> None:
    result = lint_file(ROOT / "examples" / "lora-scripts" / "broken_seed.yaml", Settings(launch_dir=ROOT))
    found = sorted((d.line, d.code) for d in errors(result))
    assert found == [(3, "LC407"), (5, "LC401"), (9, "LC104")]
    lr = next(d for d in result.diagnostics if d.code == "LC104")
    assert lr.hint is not None and "2.0e-4" in lr.hint


def test_valid_examples_have_no_errors_or_warnings() -> None:
    names = ["lora-scripts/valid_sd15_lora.yaml", "lora-scripts/valid_text_lora.yaml"]
    names += ["kohya/valid_sd15_lora.toml", "kohya/valid_dataset.toml"]
    for name in names:
        result = lint_file(ROOT / "examples" / name, Settings(launch_dir=ROOT))
        assert result.status == "checked", name
        assert [d for d in result.diagnostics if d.severity.value != "info"] == [], name


def test_broken_examples_report_their_marked_lines() -> None:
    for name in ("kohya/broken_training.toml", "kohya/broken_dataset.toml", "lora-scripts/broken_schema.yaml"):
        path = ROOT / "examples" / name
        marked = {n for n, line in enumerate(path.read_text().splitlines(), 1) if "# bad" in line}
        result = lint_file(path, Settings(launch_dir=ROOT))
        reported = {d.line for d in result.diagnostics if d.severity.value != "info"}
        assert marked <= reported, (name, sorted(marked - reported))


def test_detection(lint_text: LintText) -> None:
    assert lint_text("base_model: x.safetensors\nlora_rank: 8\n").format == "lora-scripts"
    assert lint_text("model_name_or_path: x\nlora_rank: 8\nbase_model: y\n").format == "llamafactory"
    assert lint_text(KOHYA_BASE, name="t.toml").format == "kohya"
    assert lint_text("[[datasets]]\n[[datasets.subsets]]\nimage_dir = 'x'\n", name="d.toml").format == "kohya-dataset"
    preset = lint_text('[metadata]\nname = "x"\n[data]\nresolution = "768,768"\n', name="p.toml")
    assert (preset.status, preset.format) == ("skipped", "sd-trainer-preset")


def test_lora_scripts_schema(lint_text: LintText) -> None:
    result = lint_text(
        "task_type: text-to-image\nbase_model: m.safetensors\nlearning_rate: 2e-4\nlearning_rate: 1e-4\n"
    )
    found = codes(result)
    assert found.count("LC103") == 3  # train_data_dir, metadata_path, output_dir
    assert "LC002" in found and all(d.severity.value == "error" for d in result.diagnostics if d.code == "LC002")
    lr = next(d for d in result.diagnostics if d.code == "LC104")
    assert lr.line == 4 and lr.hint == "PyYAML reads 1e-4 as text; write 1.0e-4"
    text = lint_text(
        "task_type: text-generation\nbase_model: Qwen/Qwen3-0.6B\nmetadata_path: d.jsonl\noutput_dir: o\nconv_lora_rank: 4\n"
    )
    assert codes(text) == ["LC324"]


def test_lora_scripts_unknown_key_is_an_error(lint_text: LintText) -> None:
    result = lint_text("base_model: m\nmetadata_path: m.csv\ntrain_data_dir: d\noutput_dir: o\nlora_rnak: 8\n")
    (diag,) = result.diagnostics
    assert (diag.code, diag.severity.value, diag.hint) == ("LC101", "error", "did you mean `lora_rank`?")


@pytest.mark.parametrize(
    ("extra", "code", "severity"),
    [
        ('resolution = "512x512"', "LC311", "error"),
        ('resolution = "500"', "LC332", "warning"),
        ('resolution = "1280"\nenable_bucket = true', "LC312", "error"),
        ('resolution = "512"\nenable_bucket = true\nmin_bucket_reso = 640', "LC312", "error"),
        ("bucket_reso_steps = 48", "LC333", "warning"),  # script unknown: train_network.py would refuse
        ('bucket_reso_steps = 48\nnetwork_module = "networks.lora"\nsdxl = true', "LC333", "error"),  # SDXL: 32
        ('bucket_reso_steps = 48\nnetwork_module = "networks.lora_flux"', "LC333", "error"),  # FLUX: 32
        ("bucket_reso_steps = 36", "LC333", "error"),  # off 8: every script refuses
        ("cache_latents = true\nrandom_crop = true", "LC313", "error"),
        ("cache_text_encoder_outputs = true\nnetwork_train_unet_only = true\nshuffle_caption = true", "LC313", "error"),
        ('cache_text_encoder_outputs = true\nnetwork_module = "networks.lora"', "LC313", "info"),  # script unknown
        ('cache_text_encoder_outputs = true\nnetwork_module = "networks.lora"\nsdxl = true', "LC313", "error"),
        ('mixed_precision = "fp16"\nfull_bf16 = true', "LC314", "error"),
        ("fp8_base = true", "LC314", "error"),
        ('fused_backward_pass = true\noptimizer_type = "AdamW"', "LC315", "error"),
        ('fused_backward_pass = true\noptimizer_type = "AdaFactor"\ngradient_accumulation_steps = 4', "LC315", "error"),
        ('lr_scheduler = "constant"\nlr_warmup_steps = 10', "LC316", "error"),
        ('lr_scheduler = "adafactor"', "LC316", "error"),
        ("adaptive_noise_scale = 0.01", "LC317", "error"),
        ('log_with = "all"', "LC318", "error"),
        ('network_args = ["conv_dim"]', "LC320", "error"),
        ('network_args = ["a=b=c"]', "LC320", "error"),
        ('lr_scheduler_args = ["power=high"]', "LC320", "error"),
        ('network_module = "networks.lora"\nnetwork_args = ["algo=loha"]', "LC321", "warning"),
        ('network_module = "lycoris.kohya"\nnetwork_args = ["algo=lohaa"]', "LC321", "error"),
        ("[[datasets]]\nresolution = 512", "LC323", "warning"),
        ("lr_restart_cycles = 3", "LC101", "warning"),
        ("conv_dim = 4", "LC101", "warning"),
        ("network_dim = 32", "LC325", "warning"),
        ('lr_scheduler = "cosine_restarts"', "LC105", "error"),
        ('lr_scheduler = "my_schedule"', "LC105", "warning"),
        ('optimizer_type = "AdamW8bt"', "LC105", "error"),
        ('save_precision = "fp32"', "LC105", "warning"),  # saved in the training precision
        ("train_batch_size = 0", "LC106", "error"),
    ],
)
def test_kohya_rules(lint_text: LintText, extra: str, code: str, severity: str) -> None:
    result = lint_text(KOHYA_BASE + extra + "\n", name="t.toml")
    found = [(d.code, d.severity.value) for d in result.diagnostics]
    assert (code, severity) in found, found
    diag = next(d for d in result.diagnostics if d.code == code)
    assert diag.line >= 5  # anchored on the offending line, not the file start


def test_kohya_valid_combinations_pass(lint_text: LintText) -> None:
    text = KOHYA_BASE + (
        'resolution = "1024,768"\nenable_bucket = true\nmax_bucket_reso = 1024\nmin_bucket_reso = 512\n'
        'lr_scheduler = "constant_with_warmup"\nlr_warmup_steps = 0.1\nnoise_offset = 0.05\nmultires_noise_iterations = 6\n'
        'adaptive_noise_scale = 0.01\nmixed_precision = "bf16"\nfull_bf16 = true\nfp8_base = true\n'
        'optimizer_type = "AdaFactor"\nfused_backward_pass = true\n'
        'optimizer_args = ["scale_parameter=False", "relative_step=False", "betas=(0.9,0.99)"]\n'
        'network_module = "lycoris.kohya"\nnetwork_args = ["algo=lokr", "factor=8", "preset=attn-mlp"]\n'
        'log_with = "tensorboard"\nlogging_dir = "logs"\nresume = false\n'
    )
    assert lint_text(text, name="t.toml").diagnostics == []


def test_v2_with_sdxl_by_name(lint_text: LintText) -> None:
    result = lint_text('pretrained_model_name_or_path = "/m/sd_xl_base_1.0.safetensors"\nv2 = true\n', name="t.toml")
    assert codes(result) == ["LC319"]


def test_kohya_dataset_config(lint_text: LintText) -> None:
    text = """\
    [general]
    learning_rate = 1e-4
    image_dir = "x"

    [[datasets]]
    resolution = "512"
    batch_size = 0

      [[datasets.subsets]]
      num_repeat = 10

    [[datasets]]
    """
    result = lint_text(text, name="d.toml")
    found = {(d.code, d.line) for d in result.diagnostics}
    assert ("LC322", 2) in found
    assert ("LC101", 3) in found  # image_dir belongs in a subset
    assert ("LC104", 6) in found  # resolution must be an int or [W, H] here
    assert ("LC106", 7) in found
    assert ("LC101", 10) in found
    assert ("LC103", 9) in found  # subset without image_dir
    assert ("LC103", 12) in found  # dataset without subsets
    typo = next(d for d in result.diagnostics if d.line == 10)
    assert typo.key == "datasets[0].subsets[0].num_repeat" and typo.hint == "did you mean `num_repeats`?"


def test_text_report_keeps_toml_table_headers(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(KOHYA_BASE + "[[datasets]]\nresolution = 512\n")
    out = io.StringIO()
    render(Run(files=[lint_file(path, Settings(path_checks=False))]), out)
    assert "| [[datasets]]" in out.getvalue()
    assert "`[[datasets]]` tables" in out.getvalue()


def test_gui_network_fields_point_into_network_args(lint_text: LintText) -> None:
    result = lint_text(KOHYA_BASE + "conv_dim = 4\n", name="t.toml")
    (diag,) = result.diagnostics
    assert diag.hint == 'sd-scripts reads it only inside network_args: network_args = ["conv_dim=..."]'


def test_bucket_step_on_the_scripts_own_grid_passes(lint_text: LintText) -> None:
    """Lumina's scripts check bucket_reso_steps against 16 only (sd-scripts' BUCKET_GRID)."""
    result = lint_text(KOHYA_BASE + 'bucket_reso_steps = 48\nnetwork_module = "networks.lora_lumina"\n', name="t.toml")
    assert "LC333" not in [d.code for d in result.diagnostics]

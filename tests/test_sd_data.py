"""Dataset and checkpoint checks (LC401-LC408) on tiny files built in a temporary folder."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from lorachecks.core.diagnostics import Diagnostic
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file
from lorachecks.files.checkpoints import inspect
from lorachecks.files.images import image_size, size_from_bytes
from tests.sd_fixtures import FAMILY_TENSORS, write_family, write_placeholder, write_png, write_safetensors


def lint(path: Path, text: str) -> list[Diagnostic]:
    path.write_text(text, encoding="utf-8")
    return lint_file(path, Settings(launch_dir=path.parent)).diagnostics


def only(diags: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diags if d.code == code]


# --- image headers ---------------------------------------------------------------------
def test_image_sizes_from_headers(tmp_path: Path) -> None:
    assert image_size(write_png(tmp_path / "a.png", 300, 200)) == (300, 200)
    sof = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x03" + bytes(9)
    jpeg = b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + bytes(14) + sof
    assert size_from_bytes(jpeg) == (640, 480)
    vp8x = b"RIFF" + bytes(4) + b"WEBPVP8X" + bytes(8) + (799).to_bytes(3, "little") + (599).to_bytes(3, "little")
    assert size_from_bytes(vp8x) == (800, 600)
    bits = (1023) | (767 << 14)
    vp8l = b"RIFF" + bytes(4) + b"WEBPVP8L" + bytes(4) + b"\x2f" + bits.to_bytes(4, "little")
    assert size_from_bytes(vp8l) == (1024, 768)
    assert size_from_bytes(b"not an image at all") is None


# --- checkpoints -------------------------------------------------------------------------
@pytest.mark.parametrize("family", sorted(FAMILY_TENSORS))
def test_family_detection(tmp_path: Path, family: str) -> None:
    result = inspect(write_family(tmp_path / f"{family}.safetensors", family))
    assert not isinstance(result, str)
    assert result.family == family
    assert result.parameters == sum(a * b for a, b in FAMILY_TENSORS[family].values())


def test_unet_only_family_from_cross_attention_width(tmp_path: Path) -> None:
    key = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
    for width, family in ((768, "SD1"), (1024, "SD2"), (2048, "SDXL")):
        result = inspect(write_safetensors(tmp_path / f"u{width}.safetensors", {key: (2, width)}))
        assert not isinstance(result, str) and result.family == family


def test_broken_checkpoints(tmp_path: Path) -> None:
    assert "zero-filled" in str(inspect(write_placeholder(tmp_path / "zero.safetensors")))
    good = write_family(tmp_path / "good.safetensors", "SD1").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(good[: len(good) - 10])
    assert "truncated" in str(inspect(tmp_path / "cut.safetensors"))


BASE_YAML = """\
task_type: text-to-image
base_model: {model}
train_data_dir: images
metadata_path: meta.csv
output_dir: out
resolution: {res}
learning_rate: 1.0e-4
"""


@pytest.fixture
def image_project(tmp_path: Path) -> Path:
    for name in ("a.png", "b.png"):
        write_png(tmp_path / "images" / name, 512, 512)
    write_png(tmp_path / "images" / "small.png", 128, 96)
    (tmp_path / "meta.csv").write_text("filename,caption\na.png,a red square\nb.png,\nsmall.png,tiny\ngone.png,x\n")
    write_png(tmp_path / "images" / "orphan.png", 512, 512)
    return tmp_path


def test_lora_scripts_data_checks(image_project: Path) -> None:
    write_family(image_project / "sd15.safetensors", "SD1")
    diags = lint(image_project / "c.yaml", BASE_YAML.format(model="sd15.safetensors", res=512))
    (missing,) = only(diags, "LC401")
    assert missing.line == 4 and "line 5" in missing.message and "gone.png" in missing.message
    lc402 = only(diags, "LC402")
    assert any("1 empty caption(s) (line 3)" in d.message for d in lc402)
    assert any("orphan.png" in d.message for d in lc402)
    (small,) = only(diags, "LC403")
    assert small.message.startswith("1 of 3 image(s)")
    (summary,) = only(diags, "LC406")
    assert "3 image(s), 2 caption(s)" in summary.message and "-> 3 step(s)" in summary.message
    (base,) = only(diags, "LC407")
    assert base.severity.value == "info" and "Stable Diffusion 1.x" in base.message


def test_lora_scripts_csv_problems(tmp_path: Path) -> None:
    (tmp_path / "meta.csv").write_text("file,text\nx.png,y\n")
    diags = lint(tmp_path / "c.yaml", BASE_YAML.format(model="Qwen/x", res=512))
    assert "no `filename` column" in only(diags, "LC401")[0].message
    (tmp_path / "meta.csv").write_bytes(b"filename,caption\n\xff\xfe,x\n")
    assert "not UTF-8" in only(lint(tmp_path / "c.yaml", BASE_YAML.format(model="m", res=512)), "LC401")[0].message


def test_zero_filled_and_gguf_base_models(tmp_path: Path) -> None:
    write_placeholder(tmp_path / "zero.safetensors")
    (tmp_path / "meta.csv").write_text("filename,caption\n")
    (tmp_path / "images").mkdir()
    diags = lint(tmp_path / "c.yaml", BASE_YAML.format(model="zero.safetensors", res=512))
    (error,) = only(diags, "LC407")
    assert error.severity.value == "error" and "zero-filled" in error.message
    diags = lint(tmp_path / "c.yaml", BASE_YAML.format(model="models/sd15-Q8_0.gguf", res=512))
    assert "GGUF" in only(diags, "LC407")[0].message
    # The GGUF verdict needs no file: it holds with path checks off too.
    path = tmp_path / "c.yaml"
    assert only(lint_file(path, Settings(path_checks=False)).diagnostics, "LC407")
    write_family(tmp_path / "lora.safetensors", "LoRA")
    diags = lint(tmp_path / "c.yaml", BASE_YAML.format(model="lora.safetensors", res=512))
    assert "LoRA adapter" in only(diags, "LC407")[0].message


def test_family_mismatch_lora_scripts(tmp_path: Path) -> None:
    (tmp_path / "meta.csv").write_text("filename,caption\n")
    (tmp_path / "images").mkdir()
    write_family(tmp_path / "xl.safetensors", "SDXL")
    write_family(tmp_path / "sd15.safetensors", "SD1")
    write_family(tmp_path / "llm.safetensors", "LLM")
    sdxl = only(lint(tmp_path / "c.yaml", BASE_YAML.format(model="xl.safetensors", res=512)), "LC408")
    assert sdxl and sdxl[0].line == 6 and sdxl[0].severity.value == "warning"
    sd15 = only(lint(tmp_path / "c.yaml", BASE_YAML.format(model="sd15.safetensors", res=1024)), "LC408")
    assert sd15 and "512" in sd15[0].message
    assert not only(lint(tmp_path / "c.yaml", BASE_YAML.format(model="xl.safetensors", res=1024)), "LC408")
    llm = only(lint(tmp_path / "c.yaml", BASE_YAML.format(model="llm.safetensors", res=512)), "LC408")
    assert llm and llm[0].severity.value == "error"


def test_text_jsonl(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(
        '{"text": "a"}\nnot json\n{"question": "q"}\n[1]\n\n{"prompt": "p", "completion": "c"}\n'
    )
    config = "task_type: text-generation\nbase_model: Qwen/Qwen3-0.6B\nmetadata_path: d.jsonl\noutput_dir: o\n"
    diags = lint(tmp_path / "c.yaml", config)
    bad = only(diags, "LC404")
    assert [d.message.split(":")[0] for d in bad] == ["d.jsonl line 2", "d.jsonl line 3", "d.jsonl line 4"]
    assert "2 record(s)" in only(diags, "LC406")[0].message


KOHYA = """\
[model]
pretrained_model_name_or_path = "{model}"
[data]
train_data_dir = "train"
resolution = "{res}"
caption_extension = ".txt"
train_batch_size = 2
gradient_accumulation_steps = 1
max_train_epochs = 3
"""


def test_kohya_folders_and_step_count(tmp_path: Path) -> None:
    for i in range(5):
        write_png(tmp_path / "train" / "10_chara" / f"{i}.png", 512, 512)
        if i < 4:
            (tmp_path / "train" / "10_chara" / f"{i}.txt").write_text("chara", encoding="utf-8")
    (tmp_path / "train" / "10_chara" / "3.txt").write_bytes(b"caf\xe9")  # latin-1, not UTF-8
    write_png(tmp_path / "train" / "3_style" / "s.png", 256, 256)
    (tmp_path / "train" / "3_style" / "s.txt").write_text("", encoding="utf-8")
    (tmp_path / "train" / "misc").mkdir()
    write_png(tmp_path / "train" / "loose.png", 512, 512)
    diags = lint(tmp_path / "t.toml", KOHYA.format(model="Org/model", res="512,512"))
    messages = [(d.severity.value, d.message) for d in only(diags, "LC405")]
    assert any(s == "error" and "not UTF-8" in m for s, m in messages)
    assert any(s == "warning" and "1 of 5 image(s) in 10_chara have no `.txt` caption" in m for s, m in messages)
    assert any("misc" in m for _, m in messages)
    assert any("directly in train" in m for _, m in messages)
    assert any("empty" in m for _, m in messages)
    (summary,) = only(diags, "LC406")
    # 5 x 10 + 1 x 3 = 53 samples; ceil(53 / 2 / 1) = 27 steps per epoch; 3 epochs.
    assert "53 samples" in summary.message and "27 step(s) per epoch x 3 epoch(s) = 81 step(s)" in summary.message
    (small,) = only(diags, "LC403")
    assert "3_style" in small.message


def test_kohya_flat_folder_and_missing_dir(tmp_path: Path) -> None:
    write_png(tmp_path / "train" / "a.png", 64, 64)
    (error,) = only(lint(tmp_path / "t.toml", KOHYA.format(model="m", res="512")), "LC405")
    assert error.severity.value == "error" and "<repeats>_<name>" in error.message
    diags = lint(tmp_path / "t.toml", KOHYA.format(model="m", res="512").replace('"train"', '"nope"'))
    assert "not found" in only(diags, "LC405")[0].message
    diags = lint(tmp_path / "t.toml", KOHYA.format(model="m", res="512") + 'dataset_config = "ds.toml"\n')
    assert [d.message for d in only(diags, "LC405")] == [f"`dataset_config` not found: {tmp_path / 'ds.toml'}"]


def test_kohya_repeat_folders_read_as_sd_scripts_reads_them(tmp_path: Path) -> None:
    # sd-scripts takes int() of the name before the first "_": `10` and `+3_b` count too.
    for name in ("10", "+3_b", "x_10", "0_zero"):
        write_png(tmp_path / "train" / name / "a.png", 512, 512)
        (tmp_path / "train" / name / "a.txt").write_text("x", encoding="utf-8")
    diags = lint(tmp_path / "t.toml", KOHYA.format(model="m", res="512"))
    (skipped,) = only(diags, "LC405")
    assert skipped.severity.value == "warning" and skipped.message.endswith("skipped: 0_zero, x_10")
    assert "13 samples" in only(diags, "LC406")[0].message  # 1 x 10 + 1 x 3


def test_kohya_reg_data_dir_missing_or_unread_is_a_warning(tmp_path: Path) -> None:
    write_png(tmp_path / "train" / "10_a" / "a.png", 512, 512)
    (tmp_path / "train" / "10_a" / "a.txt").write_text("x", encoding="utf-8")
    base = KOHYA.format(model="m", res="512")
    assert only(lint(tmp_path / "t.toml", base), "LC405") == []
    (missing,) = only(lint(tmp_path / "t.toml", base + 'reg_data_dir = "reg"\n'), "LC405")
    assert missing.severity.value == "warning" and missing.key == "reg_data_dir"
    assert (
        missing.message
        == f"`reg_data_dir` not found: {tmp_path / 'reg'}: sd-scripts trains without regularization images"
    )
    write_png(tmp_path / "reg" / "person" / "r.png", 512, 512)
    (flat,) = only(lint(tmp_path / "t.toml", base + 'reg_data_dir = "reg"\n'), "LC405")
    assert flat.severity.value == "warning" and "has no `<repeats>_<name>` subfolder" in flat.message
    (tmp_path / "reg" / "person").rename(tmp_path / "reg" / "1_person")
    assert only(lint(tmp_path / "t.toml", base + 'reg_data_dir = "reg"\n'), "LC405") == []
    # With a dataset config sd-scripts ignores both folders.
    text = base + 'reg_data_dir = "nope"\ndataset_config = "ds.toml"\n'
    assert [d.key for d in only(lint(tmp_path / "t.toml", text), "LC405")] == ["dataset_config"]


def test_kohya_missing_fine_tuning_metadata_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    base = KOHYA.format(model="m", res="512")
    (error,) = only(lint(tmp_path / "t.toml", base + 'in_json = "meta.json"\n'), "LC405")
    assert error.severity.value == "error" and error.key == "in_json"
    assert error.message == f"`in_json` not found: {tmp_path / 'meta.json'}: sd-scripts stops (no metadata)"
    (tmp_path / "meta.json").write_text("{}", encoding="utf-8")
    assert only(lint(tmp_path / "t.toml", base + 'in_json = "meta.json"\n'), "LC405") == []
    text = '[[datasets]]\n  [[datasets.subsets]]\n  metadata_file = "gone.json"\n'
    (missing,) = only(lint(tmp_path / "d.toml", text), "LC405")
    assert missing.line == 3 and missing.severity.value == "error" and "`metadata_file` not found" in missing.message


def test_kohya_family_mismatches(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    for family in ("SD1", "SD2", "SDXL", "FLUX"):
        write_family(tmp_path / f"{family}.safetensors", family)
    sdxl = only(lint(tmp_path / "t.toml", KOHYA.format(model="SDXL.safetensors", res="512")), "LC408")
    assert [d.severity.value for d in sdxl] == ["warning"]
    sd2 = only(lint(tmp_path / "t.toml", KOHYA.format(model="SD2.safetensors", res="768")), "LC408")
    assert [d.severity.value for d in sd2] == ["error"] and "v2" in sd2[0].message
    flux = only(lint(tmp_path / "t.toml", KOHYA.format(model="FLUX.safetensors", res="1024")), "LC408")
    assert flux and flux[0].severity.value == "error"
    text = KOHYA.format(model="SD1.safetensors", res="512") + "v2 = true\n"
    assert only(lint(tmp_path / "t.toml", text), "LC408")[0].key == "v2"


def test_kohya_dataset_config_folders(tmp_path: Path) -> None:
    for i in range(3):
        write_png(tmp_path / "imgs" / f"{i}.png", 1024, 1024)
        (tmp_path / "imgs" / f"{i}.caption").write_text("x")
    text = """\
[general]
batch_size = 2
[[datasets]]
resolution = 1024
  [[datasets.subsets]]
  image_dir = "imgs"
  num_repeats = 5
  [[datasets.subsets]]
  image_dir = "missing"
"""
    diags = lint(tmp_path / "d.toml", text)
    (missing,) = only(diags, "LC405")
    assert missing.line == 9 and missing.severity.value == "error"
    (summary,) = only(diags, "LC406")
    assert "3 image(s), 15 samples" in summary.message and "8 step(s) per epoch" in summary.message


def test_path_checks_off_reads_no_data(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(KOHYA.format(model="/missing/m.safetensors", res="512"))
    result = lint_file(tmp_path / "t.toml", Settings(path_checks=False, launch_dir=tmp_path))
    assert result.diagnostics == []

"""LC609: a finished LoRA in the output folder would be replaced by the new run."""

from pathlib import Path

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file

KOHYA = 'pretrained_model_name_or_path = "runwayml/stable-diffusion-v1-5"\nnetwork_module = "networks.lora"\n'
LORA_SCRIPTS = "task_type: text-to-image\nbase_model: runwayml/stable-diffusion-v1-5\noutput_dir: out\n"


def lc609(path: Path, text: str, tmp_path: Path) -> list[str]:
    path.write_text(text, encoding="utf-8")
    result = lint_file(path, Settings(launch_dir=tmp_path))
    return [f"{d.line}:{d.key}:{d.message}" for d in result.diagnostics if d.code == "LC609"]


def test_kohya_default_and_named_outputs(tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "last.safetensors").write_bytes(b"x")
    (tmp_path / "output" / "chara_v1.safetensors").write_bytes(b"x")
    config = tmp_path / "train.toml"
    [default] = lc609(config, KOHYA + 'output_dir = "output"\n', tmp_path)
    assert default.startswith("3:output_dir:") and "last.safetensors" in default
    [named] = lc609(config, KOHYA + 'output_dir = "output"\noutput_name = "chara_v1"\n', tmp_path)
    assert named.startswith("4:output_name:") and "chara_v1.safetensors" in named
    assert lc609(config, KOHYA + 'output_dir = "output"\noutput_name = "chara_v2"\n', tmp_path) == []
    as_ckpt = KOHYA + 'output_dir = "output"\noutput_name = "chara_v1"\nsave_model_as = "ckpt"\n'
    assert lc609(config, as_ckpt, tmp_path) == []


def test_lora_scripts_weights_and_no_path_checks(tmp_path: Path) -> None:
    config = tmp_path / "job.yaml"
    assert lc609(config, LORA_SCRIPTS, tmp_path) == []
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "lora_weights.safetensors").write_bytes(b"x")
    [found] = lc609(config, LORA_SCRIPTS, tmp_path)
    assert found.startswith("3:output_dir:")
    config.write_text(LORA_SCRIPTS, encoding="utf-8")
    quiet = lint_file(config, Settings(launch_dir=tmp_path, path_checks=False))
    assert not any(d.code == "LC609" for d in quiet.diagnostics)

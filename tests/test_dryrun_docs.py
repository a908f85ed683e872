"""The dry-run a newcomer can run at once: the documented commands, as written, on a fresh clone.

Every `lorachecks dry-run` line in a code block of docs/dryrun.md is run from the repository
root through the CLI (the README's are run by tests/test_docs_commands.py), with the bundled examples/dryrun folder (config.json and
tokenizer files only: `--init random` builds the model, nothing is downloaded).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.dryrun import Options, dry_run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dryrun"
TINY_CONFIG = EXAMPLE / "llamafactory_lora_sft.yaml"


def documented_commands() -> list[str]:
    """`lorachecks dry-run ...` lines of the sh code blocks, comments removed, in order."""
    found: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", (ROOT / "docs" / "dryrun.md").read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command.startswith("lorachecks dry-run") and command not in found:
                found.append(command)
    return found


def test_the_docs_show_the_bundled_example_first() -> None:
    commands = documented_commands()
    assert commands[0] == "lorachecks dry-run examples/dryrun/llamafactory_lora_sft.yaml --init random"
    assert len(commands) >= 4


@pytest.mark.parametrize("command", documented_commands())
def test_documented_command_runs_as_written(command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)  # the docs say: from the repository root
    if command.endswith(".toml"):
        pytest.importorskip("diffusers")  # the dryrun-diffusion extra
    words = shlex.split(command)
    redirect = words.index(">") if ">" in words else None
    args = words[2:redirect]
    for word in args:
        assert not word.endswith((".yaml", ".toml")) or (ROOT / word).is_file(), f"{word} does not exist"
    before = sorted(str(p) for p in (ROOT / "examples").rglob("*"))
    result = CliRunner().invoke(app, ["dry-run", *args])
    assert result.exit_code == 0, result.output
    if "--format" in args:
        report = json.loads(result.stdout)
        assert report["ok"] and report["trainable_params"] > 0
    else:
        assert "dry-run passed" in result.stdout
    # Nothing is written next to the examples (--save uses a temporary folder).
    assert sorted(str(p) for p in (ROOT / "examples").rglob("*")) == before


def test_init_random_builds_the_bundled_model_with_real_counts() -> None:
    report = dry_run(TINY_CONFIG, Options(device="cpu", init="random", launch_dir=ROOT))
    assert report.ok, report.diagnostics
    # 2 layers x r=8 x (q 64+64, k 64+32, v 64+32, o 64+64, gate 64+128, up 64+128, down 128+64).
    assert report.trainable_params == 2 * 8 * (128 + 96 + 96 + 128 + 3 * 192)
    assert report.adapter_modules == 14 and report.grads is not None and report.grads.passed
    assert "encoded as the trainer encodes them" in report.batch and "template `llama3`" in report.batch
    assert any("--init random" in n for n in report.notes)
    again = dry_run(TINY_CONFIG, Options(device="cpu", init="random", launch_dir=ROOT))
    assert again.losses == report.losses  # seeded: the same random model every run


def test_a_folder_without_weights_says_how_to_run_it(tmp_path: Path) -> None:
    report = dry_run(TINY_CONFIG, Options(device="cpu", launch_dir=ROOT))
    assert [d.code for d in report.diagnostics] == ["DR105"]
    found = report.diagnostics[0]
    assert found.line == 6 and found.hint is not None and "--init random" in found.hint


def test_unknown_init_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["dry-run", str(TINY_CONFIG), "--init", "zeros"])
    assert result.exit_code == 2


def test_example_tokenizer_fits_the_model_and_the_llama3_template() -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(EXAMPLE / "tiny-llama3"))
    config = json.loads((EXAMPLE / "tiny-llama3" / "config.json").read_text(encoding="utf-8"))
    assert len(tokenizer) == config["vocab_size"]
    vocab = tokenizer.get_vocab()
    assert {"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|begin_of_text|>"} <= set(vocab)
    assert max(tokenizer("Grüße, 你好 <|eot_id|>")["input_ids"]) < config["vocab_size"]


def test_the_example_tool_recreates_the_committed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tokenizers")
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_dryrun_example", ROOT / "tools" / "make_dryrun_example.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    monkeypatch.setattr(tool, "EXAMPLE", tmp_path)
    monkeypatch.setattr(tool, "MODEL", tmp_path / "tiny-llama3")
    tool.main()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        written = json.loads((tmp_path / "tiny-llama3" / name).read_text(encoding="utf-8"))
        assert written == json.loads((EXAMPLE / "tiny-llama3" / name).read_text(encoding="utf-8")), name


def test_init_random_runs_a_unet_folder_without_weights(tmp_path: Path) -> None:
    diffusers = pytest.importorskip("diffusers")
    unet = diffusers.UNet2DConditionModel(
        sample_size=8,
        layers_per_block=1,
        block_out_channels=(16, 32),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=16,
        attention_head_dim=4,
        norm_num_groups=8,
    )
    unet.save_config(tmp_path / "tiny-sd" / "unet")  # config.json only
    config = tmp_path / "train.toml"
    config.write_text(
        '[model]\npretrained_model_name_or_path = "tiny-sd"\n[network]\nnetwork_module = "networks.lora"\n'
        'network_dim = 4\nnetwork_args = ["conv_dim=2"]\n[training]\ntrain_batch_size = 1\nresolution = "32,32"\n'
        "unet_lr = 1e-3\nnetwork_train_unet_only = true\n"
    )
    without = dry_run(config, Options(device="cpu", launch_dir=tmp_path))
    assert [d.code for d in without.diagnostics] == ["DR105"]
    report = dry_run(config, Options(device="cpu", init="random", launch_dir=tmp_path, steps=2))
    assert report.ok, report.diagnostics
    assert report.device == "cpu" and report.grads is not None and report.grads.passed
    assert any(n.endswith("time_emb_proj") for n in report.adapter_module_names)

"""The dry-run's config reading and reporting: no torch needed, runs without the extras."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.dryrun import CODES, Options, dry_run
from lorachecks.dryrun.config import read_config
from lorachecks.dryrun.report import Report, render_json, render_text
from tests.conftest import ROOT
from tests.sd_fixtures import lora_scripts_images

# Keys lora-scripts requires for a text-generation job (lint LC103 stops the dry-run without them).
TEXT_KEYS = "metadata_path: ./data/train.jsonl\noutput_dir: ./out\n"


def write(tmp_path: Path, text: str, name: str = "train.yaml") -> Path:
    """The config, and the data files it names (the trainer, and so the dry-run, stop without them)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    if "./data/train.jsonl" in text:
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / "train.jsonl").write_text('{"text": "a tiny corpus"}\n' * 4)
    if "./images/metadata.csv" in text:
        lora_scripts_images(tmp_path / "images")
    if "dataset: alpaca_en_demo" in text:
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / "dataset_info.json").write_text('{"alpaca_en_demo": {"file_name": "demo.json"}}')
        (tmp_path / "data" / "demo.json").write_text('[{"instruction": "hi", "output": "hello"}]')
    return path


def test_llamafactory_plan_uses_trainer_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        model_name_or_path: ./models/tiny
        stage: sft
        do_train: true
        dataset: alpaca_en_demo
        template: llama3
        output_dir: saves/x
        bf16: true
        """,
    )
    plan = read_config(path, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and plan.kind == "llamafactory"
    assert (plan.finetuning_type, plan.rank, plan.alpha, plan.targets) == ("lora", 8, 16.0, ["all"])
    assert (plan.batch_size, plan.seq_len, plan.learning_rate, plan.precision) == (8, 2048, 5e-5, "bf16")
    assert plan.gradient_checkpointing


def test_lora_scripts_plan(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        task_type: text-to-image
        base_model: ./sd
        train_data_dir: ./images
        metadata_path: ./images/metadata.csv
        output_dir: ./out
        lora_rank: 16
        conv_lora_rank: 4
        resolution: 768
        batch_size: 2
        learning_rate: 2.0e-4
        """,
    )
    plan = read_config(path, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and plan.kind == "lora-scripts-image"
    assert (plan.rank, plan.alpha, plan.conv_rank, plan.resolution) == (16, 16.0, 4, (768, 768))
    assert plan.learning_rate == pytest.approx(2e-4)


def test_kohya_plan_flattens_tables_and_reads_network_args(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [model]
        pretrained_model_name_or_path = "./sd"
        [network]
        network_dim = 32
        network_args = ["conv_dim=8", "conv_alpha=4"]
        [training]
        unet_lr = 1e-4
        mixed_precision = "fp16"
        resolution = "1024"
        """,
        "kohya.toml",
    )
    plan = read_config(path, Settings(launch_dir=tmp_path)).plan
    assert plan is not None and plan.kind == "kohya"
    assert (plan.rank, plan.alpha, plan.conv_rank, plan.conv_alpha) == (32, 1.0, 8, 4.0)
    assert (plan.lr_key, plan.precision, plan.resolution) == ("unet_lr", "fp16", (1024, 1024))


def test_lint_errors_the_trainer_stops_on_come_first(tmp_path: Path) -> None:
    # lora-scripts reads YAML with safe_load: `2e-4` is the string "2e-4" there (LC104).
    path = write(tmp_path, f"task_type: text-generation\nbase_model: ./m\nlearning_rate: 2e-4\n{TEXT_KEYS}")
    loaded = read_config(path, Settings(launch_dir=tmp_path))
    assert loaded.plan is None and [(d.code, d.line) for d in loaded.diagnostics] == [("DR001", 3)]
    assert "LC104" in loaded.diagnostics[0].message


def test_gguf_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"task_type: text-generation\nbase_model: ./m.gguf\n{TEXT_KEYS}")
    loaded = read_config(path, Settings(launch_dir=tmp_path))
    assert loaded.plan is None and [(d.code, d.line) for d in loaded.diagnostics] == [("DR002", 2)]


def test_missing_extra_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lorachecks.dryrun import runner

    monkeypatch.setattr(runner, "_missing_extra", lambda plan: ["torch"])
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    path = write(tmp_path, f"task_type: text-generation\nbase_model: ./m\n{TEXT_KEYS}")
    report = dry_run(path, Options(launch_dir=tmp_path))
    assert [d.code for d in report.diagnostics] == ["DR003"]
    out = io.StringIO()
    render_text(report, out)
    assert "pip install 'lorachecks[dryrun]'" in out.getvalue() and "dry-run FAILED" in out.getvalue()
    out = io.StringIO()
    render_json(report, out)
    data = json.loads(out.getvalue())
    assert data["ok"] is False and data["diagnostics"][0]["code"] == "DR003"


def test_report_share() -> None:
    report = Report(config="x", total_params=1000, trainable_params=25)
    assert report.trainable_share == 0.025 and report.ok


def test_every_code_is_documented() -> None:
    doc = (ROOT / "docs" / "dryrun.md").read_text(encoding="utf-8")
    assert all(f"| {code} |" in doc for code in CODES)


def test_missing_model_fails_before_importing_torch(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, "model_name_or_path: ./models/nope\nstage: sft\nfinetuning_type: lora\n")
    probe = (
        "import sys\nfrom pathlib import Path\nfrom lorachecks.dryrun import Options, dry_run\n"
        f"report = dry_run(Path({str(path)!r}), Options(launch_dir=Path({str(tmp_path)!r})))\n"
        "print([d.code for d in report.diagnostics], 'torch' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "['DR101'] False", proc.stdout + proc.stderr[-500:]


def _project(tmp_path: Path, settings: str) -> Path:
    """A project: lorachecks.toml at its root, the config in configs/, the data and model
    folder names relative to run/ (the trainer's working directory)."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "lorachecks.toml").write_text(textwrap.dedent(settings), encoding="utf-8")
    run = tmp_path / "run"
    (run / "data").mkdir(parents=True)
    (run / "data" / "dataset_info.json").write_text('{"demo": {"file_name": "demo.json"}}')
    (run / "data" / "demo.json").write_text('[{"instruction": "hi", "output": "hello"}]')
    (tmp_path / "configs").mkdir()
    return write(
        tmp_path / "configs",
        """\
        model_name_or_path: ./models/nope
        stage: sft
        do_train: true
        dataset: demo
        template: default
        output_dir: saves/x
        lora_rnak: 8
        """,
    )


def _codes(path: Path, **options: object) -> list[tuple[str, str]]:
    report = dry_run(path, Options(**options))  # type: ignore[arg-type]
    return [(d.code, d.message.split(":")[0]) for d in report.diagnostics]


def test_project_configuration_ignore_and_launch_dir(tmp_path: Path) -> None:
    # lint and dry-run read the same project file: LC101 ignored there does not stop the
    # dry-run, and the datasets resolve from its launch-dir, so the model check is reached
    path = _project(tmp_path, 'ignore = ["LC101"]\nlaunch-dir = "run"\n')
    codes = _codes(path)
    assert codes == [("DR101", "model folder " + str(tmp_path / "run" / "models" / "nope") + " does not exist")]
    # per-file settings: a per-path section applies to the file its glob matches
    per_path = _project(tmp_path / "p", 'launch-dir = "run"\n[per-path."configs/*.yaml"]\nignore = ["LC101"]\n')
    assert [c for c, _ in _codes(per_path)] == ["DR101"]


def test_project_configuration_isolated_and_explicit_launch_dir(tmp_path: Path) -> None:
    path = _project(tmp_path, 'ignore = ["LC101"]\nlaunch-dir = "run"\n')
    # --isolated: the blocker stops the dry-run again, as `lint --isolated` reports it
    assert ("DR001", "LC101") in _codes(path, isolated=True, launch_dir=tmp_path / "run")
    # the command line's --launch-dir wins over the file's: the datasets are not found there
    assert any(code == "DR001" and lint.startswith("LC2") for code, lint in _codes(path, launch_dir=tmp_path))


def test_unreadable_project_configuration_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lorachecks.dryrun import main

    path = _project(tmp_path, "ignore = [\n")
    assert main([path], Options()) == 2
    assert "lorachecks.toml" in capsys.readouterr().err

"""Path checks (LC2xx) against real folders built in a temporary launch directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file
from tests.conftest import BASE, LintText, codes


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A launch directory with a model folder, datasets and a DeepSpeed config."""
    model = tmp_path / "models" / "tiny"
    model.mkdir(parents=True)
    (model / "config.json").write_text(json.dumps({"model_type": "llama"}))
    data = tmp_path / "data"
    data.mkdir()
    (data / "sft.json").write_text("[]")
    (data / "pairs.json").write_text("[]")
    (data / "sheet.xlsx").write_text("")
    (data / "dataset_info.json").write_text(
        json.dumps(
            {
                "sft": {"file_name": "sft.json"},
                "pairs": {"file_name": "pairs.json", "ranking": True},
                "gone": {"file_name": "gone.json"},
                "sheet": {"file_name": "sheet.xlsx"},
                "hub": {"hf_hub_url": "org/data"},
                "tagged": {"file_name": "sft.json", "columns": {"kto_tag": "label"}},
            }
        )
    )
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "z3.json").write_text(json.dumps({"zero_optimization": {"stage": 3}}))
    (ds / "broken.json").write_text("{ not json")
    return tmp_path


CONFIG = BASE.replace("Qwen/Qwen3-4B", "./models/tiny").replace("alpaca_en_demo", "sft")

CASES = [
    ("LC201", CONFIG.replace("./models/tiny", "./models/missing"), CONFIG),
    ("LC201", CONFIG.replace("./models/tiny", "./data"), CONFIG),  # no config.json
    ("LC201", CONFIG + "adapter_name_or_path: ./saves/none\n", CONFIG),
    ("LC202", CONFIG.replace("./models/tiny", "/path/to/model"), CONFIG),
    ("LC203", CONFIG.replace("dataset: sft", "dataset: sfft"), CONFIG),
    ("LC203", CONFIG.replace("dataset: sft", "dataset: data/sft.json"), CONFIG),
    ("LC203", CONFIG + "dataset_dir: nowhere\n", CONFIG),
    ("LC204", CONFIG.replace("dataset: sft", "dataset: gone"), CONFIG.replace("dataset: sft", "dataset: hub")),
    ("LC204", CONFIG.replace("dataset: sft", "dataset: sheet"), CONFIG),
    (
        "LC205",
        CONFIG.replace("stage: sft", "stage: dpo"),
        CONFIG.replace("stage: sft", "stage: dpo").replace("dataset: sft", "dataset: pairs"),
    ),
    ("LC205", CONFIG.replace("dataset: sft", "dataset: pairs"), CONFIG),
    (
        "LC205",
        CONFIG.replace("stage: sft", "stage: kto"),
        CONFIG.replace("stage: sft", "stage: kto").replace("dataset: sft", "dataset: tagged"),
    ),
    ("LC206", CONFIG + "deepspeed: ds/missing.json\n", CONFIG + "deepspeed: ds/z3.json\n"),
    ("LC206", CONFIG + "deepspeed: ds/broken.json\n", CONFIG + "deepspeed: ds/z3.json\n"),
    (
        "LC207",
        CONFIG + "deepspeed: ds/z3.json\nquantization_bit: 8\n",
        CONFIG + "deepspeed: ds/z3.json\nquantization_bit: 4\n",
    ),
    (
        "LC207",
        CONFIG + "deepspeed: {zero_optimization: {stage: 3}}\npure_bf16: true\n",
        CONFIG + "deepspeed: {zero_optimization: {stage: 2}}\npure_bf16: true\n",
    ),
    ("LC208", CONFIG.replace("output_dir: saves/x", "output_dir: data/sft.json"), CONFIG),
    ("LC209", CONFIG + "lora_target: query_key_value\n", CONFIG + "lora_target: q_proj,v_proj\n"),
]


@pytest.mark.parametrize(("code", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_path_rule_fails_bad_and_passes_good(
    lint_text: LintText, project: Path, code: str, bad: str, good: str
) -> None:
    assert code in codes(lint_text(bad, path_checks=True, launch_dir=project))
    assert code not in codes(lint_text(good, path_checks=True, launch_dir=project))


def test_no_path_checks_skips_every_file_dependent_rule(lint_text: LintText, project: Path) -> None:
    text = (
        CONFIG.replace("./models/tiny", "./models/missing").replace("dataset: sft", "dataset: sfft")
        + "deepspeed: ds/missing.json\n"
    )
    found = codes(lint_text(text, path_checks=False, launch_dir=project))
    assert not [c for c in found if c.startswith("LC2")]


@pytest.mark.parametrize(
    ("key", "placeholder"),
    [
        ("adapter_name_or_path", "path/to/your/lora/checkpoint"),  # a user's template (wild corpus)
        ("model_name_or_path", "__MODEL_PATH__"),
        ("deepspeed", "<your-deepspeed-config>"),
    ],
)
def test_placeholder_the_trainer_loads_is_an_error_with_path_checks(
    lint_text: LintText, project: Path, key: str, placeholder: str
) -> None:
    text = f"{key}: {placeholder}\n" + "\n".join(line for line in CONFIG.splitlines() if not line.startswith(f"{key}:"))
    checked = lint_text(text, path_checks=True, launch_dir=project)
    [error] = [d for d in checked.diagnostics if d.code == "LC202"]
    assert error.severity.value == "error" and "the run stops" in error.message
    assert not [d for d in checked.diagnostics if d.code in ("LC201", "LC206")]  # one report per value
    # Without path checks the file is a template whose paths are filled in elsewhere.
    assert "LC202" not in codes(lint_text(text, path_checks=False, launch_dir=project))


def test_placeholder_output_folder_is_a_warning(lint_text: LintText, project: Path) -> None:
    text = CONFIG.replace("output_dir: saves/x", "") + "output_dir: /path/to/output\n"
    [warning] = [d for d in lint_text(text, path_checks=True, launch_dir=project).diagnostics if d.code == "LC202"]
    assert warning.severity.value == "warning" and "literally named" in warning.message
    lowercase = CONFIG.replace("output_dir: saves/x", "output_dir: saves/__init__")  # not a template token
    assert "LC202" not in codes(lint_text(lowercase, path_checks=True, launch_dir=project))


def test_hub_id_is_not_a_missing_path(lint_text: LintText, project: Path) -> None:
    assert "LC201" not in codes(lint_text(BASE.replace("alpaca_en_demo", "sft"), path_checks=True, launch_dir=project))


def test_message_names_the_launch_directory(lint_text: LintText, project: Path) -> None:
    result = lint_text(CONFIG.replace("./models/tiny", "./models/missing"), path_checks=True, launch_dir=project)
    [diag] = [d for d in result.diagnostics if d.code == "LC201"]
    assert str(project) in (diag.hint or "")


def test_interpolated_paths_are_reported_not_resolved(
    lint_text: LintText, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LLaMA-Factory never resolves ${...}: the literal string reaches the trainer."""
    monkeypatch.setenv("MODEL_ROOT", str(project / "models"))
    found = codes(
        lint_text(CONFIG.replace("./models/tiny", "${oc.env:MODEL_ROOT}/tiny"), path_checks=True, launch_dir=project)
    )
    assert "LC108" in found and "LC201" not in found
    assert "LC108" not in codes(lint_text(CONFIG, path_checks=True, launch_dir=project))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_parent_is_reported(lint_text: LintText, project: Path) -> None:
    locked = project / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        text = CONFIG.replace("output_dir: saves/x", "output_dir: locked/run")
        assert "LC208" in codes(lint_text(text, path_checks=True, launch_dir=project))
    finally:
        locked.chmod(0o700)


def test_missing_resume_checkpoint_is_an_error(tmp_path: Path) -> None:
    """LLaMA-Factory 0.9.5 stops with "Can't find a valid checkpoint" (tests/differential)."""
    (tmp_path / "ckpt").mkdir()
    config = tmp_path / "c.yaml"
    base = "model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\ndataset_dir: ONLINE\ndataset: x/y\ntemplate: qwen3\noutput_dir: out\n"
    config.write_text(base + "resume_from_checkpoint: ckpt-missing\n", encoding="utf-8")
    result = lint_file(config, Settings(launch_dir=tmp_path))
    assert [d.key for d in result.diagnostics if d.code == "LC201"] == ["resume_from_checkpoint"]
    config.write_text(base + "resume_from_checkpoint: ckpt\n", encoding="utf-8")
    assert "LC201" not in [d.code for d in lint_file(config, Settings(launch_dir=tmp_path)).diagnostics]


def test_resume_true_needs_a_checkpoint_in_output_dir(tmp_path: Path) -> None:
    """transformers resumes from output_dir's last checkpoint-N; none: "No valid checkpoint found"."""
    config = tmp_path / "c.yaml"
    base = "model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\ndataset_dir: ONLINE\ndataset: x/y\ntemplate: qwen3\n"
    config.write_text(base + "output_dir: out\nresume_from_checkpoint: true\n", encoding="utf-8")
    result = lint_file(config, Settings(launch_dir=tmp_path))
    assert [d.code for d in result.diagnostics if d.key == "resume_from_checkpoint"] == ["LC201"]
    (tmp_path / "out" / "checkpoint-10").mkdir(parents=True)
    result = lint_file(config, Settings(launch_dir=tmp_path))
    assert [d.code for d in result.diagnostics if d.key == "resume_from_checkpoint"] == []

"""The LLaMA-Factory and transformers releases a verdict is for (issue 13, section 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lorachecks.cli.lint_command import UsageError, run_lint
from tests.conftest import BASE, LF_CORPUS, LintText, codes, needs_corpus

REMOVED_IN_5 = "save_safetensors: true\nno_cuda: false\nhalf_precision_backend: auto\n"


def _lc102(result: object) -> list[tuple[str, str]]:
    return [(d.severity.value, d.message) for d in result.diagnostics if d.code == "LC102"]  # type: ignore[attr-defined]


def test_transformers_4_keys_follow_the_transformers_release(lint_text: LintText) -> None:
    text = BASE + REMOVED_IN_5
    unknown = _lc102(lint_text(text))  # LLaMA-Factory 0.9.5 allows 4.55.0 to 5.6.0
    assert [s for s, _ in unknown] == ["warning"] * 3
    assert all("4.55.0 to 5.6.0 (allowed by LLaMA-Factory 0.9.5)" in m for _, m in unknown)
    refused = _lc102(lint_text(text, transformers_version="5.6.0", transformers_source="installed in .venv"))
    assert [s for s, _ in refused] == ["error"] * 3
    assert all("refused by transformers 5.6.0 (installed in .venv)" in m and "start-up" in m for _, m in refused)
    assert _lc102(lint_text(text, transformers_version="4.57.1")) == []
    assert "LC101" not in codes(lint_text(text, transformers_version="4.57.1"))


@needs_corpus
def test_older_release_is_judged_with_its_transformers(lint_text: LintText) -> None:
    example = (LF_CORPUS / "examples" / "extras" / "loraplus" / "llama3_lora_sft.yaml").read_text(encoding="utf-8")
    result = lint_text(example + "no_cuda: false\nhalf_precision_backend: auto\n", llamafactory_version="0.9.3")
    assert [d for d in result.diagnostics if d.code in ("LC101", "LC102")] == []
    # A key transformers added after the releases 0.9.3 allows is refused there.
    later = lint_text(example + "project: demo\n", llamafactory_version="0.9.3")
    assert [d.key for d in later.diagnostics if d.code == "LC101"] == ["project"]


@pytest.mark.parametrize("version", ["banana", "9.9.9"])
def test_unknown_release_is_a_usage_error(tmp_path: Path, version: str) -> None:
    config = tmp_path / "x.yaml"
    config.write_text(BASE)
    with pytest.raises(UsageError, match="unknown LLaMA-Factory release"):
        run_lint([config], llamafactory_version=version)
    with pytest.raises(UsageError, match="not a transformers version"):
        run_lint([config], transformers_version="five")


def _fake_env(root: Path, **versions: str) -> Path:
    for package, version in versions.items():
        (root / "lib" / "python3.11" / "site-packages" / f"{package}-{version}.dist-info").mkdir(parents=True)
    return root


def test_versions_are_read_from_the_environment_and_shown_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "x.yaml"
    config.write_text(BASE + "save_safetensors: true\n")
    env = _fake_env(tmp_path / "venv", transformers="4.52.4", llamafactory="0.9.3")
    assert run_lint([config], output_format="json", path_checks=False, python_env=env) == 0
    document = json.loads(capsys.readouterr().out)
    where = f"installed in {env.resolve()}"
    assert document["environment"] == {
        "llamafactory": {"version": "0.9.3", "requested": "0.9.3", "source": where},
        "transformers": {"version": "4.52.4", "source": where},
    }
    assert all(d["code"] != "LC102" for d in document["diagnostics"])  # 4.52.4 accepts save_safetensors


def test_pinned_requirement_in_the_launch_directory_decides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "requirements.txt").write_text("torch\ntransformers==5.6.0  # pinned\n")
    config = tmp_path / "x.yaml"
    config.write_text(BASE + "save_safetensors: true\n")
    assert run_lint([config], output_format="json", path_checks=False, launch_dir=tmp_path) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["environment"]["transformers"]["source"] == f"pinned in {tmp_path / 'requirements.txt'}"
    [error] = [d for d in document["diagnostics"] if d["code"] == "LC102"]
    assert error["severity"] == "error" and "transformers 5.6.0" in error["message"]


def test_pin_in_pyproject_decides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["llamafactory==0.9.3", "transformers==4.52.4"]\n'
    )
    config = tmp_path / "x.yaml"
    config.write_text(BASE + "no_cuda: false\n")
    assert run_lint([config], output_format="json", path_checks=False, launch_dir=tmp_path) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["environment"]["llamafactory"]["version"] == "0.9.3"
    assert document["environment"]["transformers"]["version"] == "4.52.4"
    assert [d for d in document["diagnostics"] if d["code"] == "LC102"] == []


def test_transformers_5_notes_are_left_out_for_transformers_4(lint_text: LintText) -> None:
    text = BASE + "warmup_ratio: 0.1\n"
    assert "LC354" in codes(lint_text(text))  # the default range reaches transformers 5
    assert "LC354" not in codes(lint_text(text, llamafactory_version="0.9.3"))


def test_project_setting_sets_the_transformers_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lorachecks.toml").write_text('transformers-version = "5.6.0"\n')
    config = tmp_path / "x.yaml"
    config.write_text(BASE + "save_safetensors: true\n")
    assert run_lint([config], output_format="json", path_checks=False) == 1
    document = json.loads(capsys.readouterr().out)
    [error] = [d for d in document["diagnostics"] if d["code"] == "LC102"]
    assert "transformers 5.6.0 (set in lorachecks.toml)" in error["message"]
    # The run's own versions are the defaults; the file's project chose another: shown per file.
    assert document["environment"]["transformers"]["version"] == "4.55.0 to 5.6.0"
    [file] = document["files"]
    assert file["environment"]["transformers"] == {"version": "5.6.0", "source": "set in lorachecks.toml"}
    (tmp_path / "lorachecks.toml").write_text('transformers-version = "banana"\n')
    with pytest.raises(UsageError, match="not a transformers version"):
        run_lint([config], path_checks=False)

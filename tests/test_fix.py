"""`lorachecks fix`: rule-owned span edits, comments and layout kept, safe writes."""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.core.diagnostics import Edit, Fix
from lorachecks.core.settings import Settings
from lorachecks.engine.fix import FileChanged, apply_fixes, fix_file, fix_paths, write_atomic
from lorachecks.engine.linter import lint_file
from lorachecks.loader import Document, Position
from lorachecks.rules.edits import rename_key, yaml11_float
from tests.conftest import BASE, LF_CORPUS, needs_corpus

runner = CliRunner()
OLD = Settings(path_checks=False, llamafactory_version="0.9.3")  # PyYAML loader: 2e-4 is text

BROKEN = """\
# LoRA SFT for Qwen3 (team template)
model_name_or_path: Qwen/Qwen3-4B   # hub id
stage: sft
do_train: yes            # YAML 1.1 word
finetuning_type: lora
dataset: alpaca_en_demo
template: qwen3
output_dir: saves/x
val_size: 0.1
bf16: on
"lora_rnak": 8           # typo, quoted key
loraAlpha: 16            # camelCase
evaluation_strategy: steps   # renamed upstream
learning_rate: 2e-4      # PyYAML reads text
weight_decay: 1.5e4
max_steps: 1e4
"""

FIXED = """\
# LoRA SFT for Qwen3 (team template)
model_name_or_path: Qwen/Qwen3-4B   # hub id
stage: sft
do_train: true           # YAML 1.1 word
finetuning_type: lora
dataset: alpaca_en_demo
template: qwen3
output_dir: saves/x
val_size: 0.1
bf16: true
"lora_rank": 8           # typo, quoted key
lora_alpha: 16           # camelCase
eval_strategy: steps         # renamed upstream
learning_rate: 2.0e-4    # PyYAML reads text
weight_decay: 1.5e+4
max_steps: 10000
"""


def test_fix_then_lint_gives_no_fixable_diagnostics_and_keeps_comments(tmp_path: Path) -> None:
    """Comments survive in their column (the blank before them absorbs the length change)."""
    path = tmp_path / "train.yaml"
    path.write_text(BROKEN)
    before = lint_file(path, OLD)
    assert {d.code for d in before.diagnostics if d.fix} == {"LC101", "LC102", "LC104", "LC109"}
    outcome = fix_file(path, OLD)
    assert outcome.written and outcome.error is None and len(outcome.applied) == 8
    assert path.read_text() == FIXED
    after = lint_file(path, OLD)
    assert [d for d in after.diagnostics if d.fix] == []
    assert after.diagnostics == []  # and in this case nothing else either


def test_lint_never_writes_and_diff_previews(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(BROKEN)
    common = ["--no-path-checks", "--llamafactory-version", "0.9.3", str(path)]
    assert runner.invoke(app, ["lint", *common]).exit_code == 1
    assert path.read_text() == BROKEN
    preview = runner.invoke(app, ["lint", "--diff", *common])
    assert preview.exit_code == 1 and path.read_text() == BROKEN
    assert "\n-loraAlpha: 16            # camelCase\n" in preview.stdout
    assert "\n+lora_alpha: 16           # camelCase\n" in preview.stdout
    assert f"--- {path}\n+++ {path}\n" in preview.stdout
    assert "Would fix 8 problem(s) in 1 file(s)." in preview.stderr
    fixed = runner.invoke(app, ["fix", "--no-path-checks", "--llamafactory-version", "0.9.3", str(path)])
    assert fixed.exit_code == 0 and "Fixed 8 problem(s) in 1 file(s)." in fixed.stderr
    assert path.read_text() == FIXED
    assert runner.invoke(app, ["fix", "--diff", "--llamafactory-version", "0.9.3", str(path)]).exit_code == 0


def test_omegaconf_release_leaves_exponents_alone(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(BASE + "learning_rate: 2e-4\n")
    assert fix_file(path, Settings(path_checks=False)).applied == []
    assert path.read_text() == BASE + "learning_rate: 2e-4\n"


def test_uncertain_or_clashing_suggestions_are_not_fixed(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    text = BASE + "lora_rank: 8\nlora_rnak: 16\nlr: 1\nevaluation_strategy: steps\neval_strategy: 'no'\n"
    path.write_text(text)
    outcome = fix_file(path, OLD)
    assert outcome.applied == [] and path.read_text() == text
    assert {d.code for d in outcome.result.diagnostics} >= {"LC101", "LC102"}


def test_quoted_values_and_non_renames_are_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    text = BASE + 'learning_rate: "2e-4"\nimage_resolution: 512\nplot_loss: "yes"\n'
    path.write_text(text)
    assert fix_file(path, OLD).applied == [] and path.read_text() == text


def test_crlf_bom_and_permissions_survive(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    text = (BASE + "loraAlpha: 16 # keep\r\n").replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    path.chmod(0o640)
    assert fix_file(path, OLD).written
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and raw.endswith(b"lora_alpha: 16 # keep\r\n")
    assert raw.count(b"\r\n") == raw.count(b"\n") == 9
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["train.yaml"]  # no temporary left behind


def test_json_keys_keep_their_quotes(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    path.write_text('{"model_name_or_path": "Qwen/Qwen3-4B", "stage": "sft", "evaluation_strategy": "no"}\n')
    assert fix_file(path, OLD).written
    assert path.read_text() == '{"model_name_or_path": "Qwen/Qwen3-4B", "stage": "sft", "eval_strategy": "no"}\n'


def test_symlink_is_kept_and_its_target_fixed(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(BASE + "loraAlpha: 16\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert fix_file(link, OLD).written
    assert link.is_symlink() and real.read_text() == BASE + "lora_alpha: 16\n"


def test_refuses_when_the_file_changed(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text("edited meanwhile\n")
    with pytest.raises(FileChanged):
        write_atomic(path, b"what we read\n", b"fixed\n")
    assert path.read_text() == "edited meanwhile\n"
    assert [p.name for p in tmp_path.iterdir()] == ["train.yaml"]


def test_fix_reports_a_file_changed_while_fixing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lorachecks.engine.fix as fix_module

    path = tmp_path / "train.yaml"
    path.write_text(BASE + "loraAlpha: 16\n")
    real_lint = fix_module.lint_file

    def racing(*args: object, **kwargs: object) -> object:
        result = real_lint(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(BASE + "loraAlpha: 32\n")  # the user saves meanwhile
        return result

    monkeypatch.setattr(fix_module, "lint_file", racing)
    outcome = fix_file(path, OLD)
    assert not outcome.written and outcome.error is not None and "changed" in outcome.error
    assert path.read_text() == BASE + "loraAlpha: 32\n"


def test_unwritable_folder_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    path = tmp_path / "train.yaml"
    path.write_text(BASE + "loraAlpha: 16\n")
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    outcome = fix_file(path, OLD)
    assert not outcome.written and outcome.error == "not fixed: cannot write: Permission denied"
    assert path.read_text() == BASE + "loraAlpha: 16\n"


def test_overlapping_fixes_apply_once() -> None:
    first = Fix("a", (Edit(0, 3, "xyz"),))
    clash = Fix("b", (Edit(2, 4, "q"),))
    later = Fix("c", (Edit(5, 6, "!"),))
    text, used = apply_fixes("abcdefg", [later, clash, first])
    assert text == "xyzde!g" and used == [first, later]


def test_yaml11_float_forms() -> None:
    import yaml

    for written, expected in [("2e-4", "2.0e-4"), ("2e4", "2.0e+4"), ("1.5e4", "1.5e+4"), ("-3E-5", "-3.0E-5")]:
        form = yaml11_float(written)
        assert form is not None and form.lower() == expected.lower()
        assert yaml.safe_load(f"v: {form}")["v"] == float(written)
    assert yaml11_float("2.0e-4") is None and yaml11_float("abc") is None and yaml11_float("10") is None


def test_lc104_hint_for_exponent_without_sign(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(BASE + "weight_decay: 2e4\n")
    [diag] = [d for d in lint_file(path, OLD).diagnostics if d.code == "LC104"]
    assert diag.hint == "PyYAML reads 2e4 as text; write 2.0e+4"


def test_fixes_that_would_clash_are_applied_one_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(BASE + "loraAlpha: 16\nlora-alpha: 32\npref-beta: 0.1\ndpo_beta: 0.2\n")
    outcome = fix_file(path, Settings(path_checks=False))
    assert len(outcome.applied) == 2 and "LC002" not in {d.code for d in outcome.result.diagnostics}
    assert path.read_text() == BASE + "lora_alpha: 16\nlora-alpha: 32\npref_beta: 0.1\ndpo_beta: 0.2\n"


def test_text_output_counts_fixable_findings(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(BASE + "loraAlpha: 16\nlr: 1\n")
    out = runner.invoke(app, ["lint", "--no-path-checks", str(path)]).stdout
    assert "1 of them can be fixed safely: `lorachecks fix PATH` (`--diff` to preview)." in out


@needs_corpus
def test_official_examples_need_no_fixes() -> None:
    outcomes = list(fix_paths([LF_CORPUS / "examples"], Settings(path_checks=False), None, write=False))
    assert len(outcomes) > 50
    assert [o.path for o in outcomes if o.diff] == []


def test_edits_work_on_any_syntax_with_positions() -> None:
    text = 'networkDim = 16  # rank\n"lr" = 1\n'
    doc = Document(
        path=Path("x.toml"),
        text=text,
        syntax="toml",
        dialect="toml",
        key_positions={("networkDim",): Position(1, 1), ("lr",): Position(2, 1), ("gone",): Position(9, 1)},
    )
    fix = rename_key(doc, ("networkDim",), "network_dim", "rename")
    assert fix is not None
    assert apply_fixes(text, [fix])[0] == 'network_dim = 16 # rank\n"lr" = 1\n'
    quoted = rename_key(doc, ("lr",), "learning_rate", "rename")
    assert quoted is not None and apply_fixes(text, [quoted])[0].endswith('"learning_rate" = 1\n')
    assert rename_key(doc, ("gone",), "x", "rename") is None  # position outside the text
    assert rename_key(doc, ("networkDi",), "x", "rename") is None  # no position for that key
    moved = Document(path=Path("x.toml"), text=text, syntax="toml", dialect="toml")
    moved.key_positions[("networkDim",)] = Position(2, 1)  # the text there is not the key
    assert rename_key(moved, ("networkDim",), "network_dim", "rename") is None


def test_select_limits_what_is_fixed(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(BROKEN)
    result = runner.invoke(
        app, ["fix", "--no-path-checks", "--llamafactory-version", "0.9.3", "--select", "LC102", str(path)]
    )
    assert "Fixed 1 problem(s) in 1 file(s)." in result.stderr
    assert path.read_text() == BROKEN.replace("evaluation_strategy: steps  ", "eval_strategy: steps        ")


@pytest.mark.parametrize("command", [["lint", "--fix"], ["fix"]])
def test_fixing_reports_run_wide_findings_as_lint_does(tmp_path: Path, command: list[str]) -> None:
    # Both configs write to saves/x: LC607 (a run-wide rule) is reported on the second one
    # whether the run lints or fixes; the fix itself still happens.
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE + "loraAlpha: 16\n", encoding="utf-8")
    linted = runner.invoke(app, ["lint", "--no-path-checks", "--format", "json", str(tmp_path)])
    fixed = runner.invoke(app, [*command, "--no-path-checks", "--format", "json", str(tmp_path)])
    assert '"LC607"' in linted.stdout and '"LC607"' in fixed.stdout, fixed.output
    assert "lora_alpha: 16" in (tmp_path / "b.yaml").read_text(encoding="utf-8")

"""Older rule codes keep working: LC301 (options the trainer refuses together) was split into
LC340-LC347 and LC302 (options that do less than they say) into LC350-LC355; kohya's LC311,
LC312 and LC324 each gave one check its own code (LC332-LC334) and still stand for it. Wherever a
user writes a code, the older one stands for every rule that declares it in ``ALIASES``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.lsp.session import Session
from lorachecks.rules import all_rules, codes_for_alias
from tests.conftest import BASE

runner = CliRunner()

# fp16 with bf16 (LC340, error, line 9) and LoRA with resize_vocab but no additional_target
# (LC352, warning, line 10): one rule from each older code.
CONFLICT = BASE + "fp16: true\nresize_vocab: true\n"
SPLIT_FROM = {
    "LC301": [f"LC34{i}" for i in range(8)],
    "LC302": [f"LC35{i}" for i in range(6)],
    "LC311": ["LC332"],
    "LC312": ["LC333"],
    "LC324": ["LC334"],
}


def lint_codes(tmp_path: Path, *options: str, text: str = CONFLICT) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["lint", "--format", "json", "--no-path-checks", "--isolated", *options, str(path)])
    assert result.exit_code in (0, 1), result.output
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def test_each_older_code_stands_for_the_rules_that_took_it_over() -> None:
    declared: dict[str, list[str]] = {}
    for rule in all_rules():
        for old in rule.aliases:
            declared.setdefault(old, []).append(rule.code)
    assert declared == SPLIT_FROM
    assert codes_for_alias("lc301") == tuple(SPLIT_FROM["LC301"])
    assert codes_for_alias("LC311") == ("LC332",)  # a code that stays names the check split off it too
    assert codes_for_alias("LC340") == ()  # a current code is no alias
    assert all(r.code not in ("LC301", "LC302") for r in all_rules())


def test_without_options_both_new_codes_fire(tmp_path: Path) -> None:
    assert lint_codes(tmp_path) == ["LC340", "LC352"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "LC301"], ["LC340"]),
        (["--select", "LC302"], ["LC352"]),
        (["--select", "LC30"], ["LC340", "LC352"]),  # a prefix of the older codes
        (["--ignore", "LC301"], ["LC352"]),
        (["--ignore", "LC302"], ["LC340"]),
        (["--select", "LC34"], ["LC340"]),  # the new codes are selectable on their own
        (["--ignore", "LC340"], ["LC352"]),
    ],
)
def test_command_line_select_and_ignore(tmp_path: Path, options: list[str], expected: list[str]) -> None:
    assert lint_codes(tmp_path, *options) == expected


def test_project_configuration_and_per_path_sections(tmp_path: Path) -> None:
    (tmp_path / "lorachecks.toml").write_text(
        'path-checks = false\nignore = ["LC302"]\nseverity = { LC301 = "warning" }\n'
        '[per-path."legacy/*.yaml"]\nignore = ["LC301"]\n',
        encoding="utf-8",
    )
    (tmp_path / "legacy").mkdir()
    (tmp_path / "c.yaml").write_text(CONFLICT, encoding="utf-8")
    (tmp_path / "legacy" / "old.yaml").write_text(CONFLICT.replace("saves/x", "saves/old"), encoding="utf-8")
    result = runner.invoke(app, ["lint", "--format", "json", str(tmp_path)])
    found = [(Path(d["path"]).name, d["code"], d["severity"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [("c.yaml", "LC340", "warning")]  # legacy/old.yaml: LC301 ignored too
    assert result.exit_code == 0


def test_severity_longest_match_counts_the_older_code(tmp_path: Path) -> None:
    (tmp_path / "lorachecks.toml").write_text('severity = { LC3 = "info", LC301 = "warning" }\n', encoding="utf-8")
    (tmp_path / "c.yaml").write_text(CONFLICT, encoding="utf-8")
    result = runner.invoke(app, ["lint", "--format", "json", "--no-path-checks", str(tmp_path / "c.yaml")])
    found = [(d["code"], d["severity"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert found == [("LC340", "warning"), ("LC352", "info")]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [  # LC340 is reported on `bf16`, LC352 on `resize_vocab`
        ("bf16: true  # lorachecks: disable=LC301\n", ["LC352"]),
        ("# lorachecks: disable-next-line=LC301\nbf16: true\n", ["LC352"]),
        ("# lorachecks: disable-file=LC302\nbf16: true\n", ["LC340"]),
        ("bf16: true  # lorachecks: disable=LC302\n", ["LC340", "LC352"]),  # LC340 is not LC302's
    ],
)
def test_inline_suppressions(tmp_path: Path, lines: str, expected: list[str]) -> None:
    text = BASE.replace("bf16: true\n", "") + "fp16: true\n" + lines + "resize_vocab: true\n"
    assert lint_codes(tmp_path, text=text) == expected


def test_explain_lists_the_codes_an_older_code_stands_for() -> None:
    result = runner.invoke(app, ["explain", "LC301"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("LC301 is an older code: it now stands for these 8 rules")
    assert [line.split()[0] for line in lines[2:]] == SPLIT_FROM["LC301"]
    assert "LC340 (precision-conflict, error): Two precision settings the trainer refuses together." in lines
    assert runner.invoke(app, ["explain", "lc302"]).stdout.count("\nLC35") == 6
    assert runner.invoke(app, ["explain", "LC309"]).exit_code == 2  # neither a rule nor an older code
    own = runner.invoke(app, ["explain", "LC343"]).stdout.splitlines()[0]
    assert (
        own
        == "LC343 (optimizer-conflict), default severity: error, formats: llamafactory; also selected by the older code LC301"
    )


def test_an_unknown_code_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONFLICT, encoding="utf-8")
    result = runner.invoke(app, ["lint", "--select", "LC309", str(path)])
    assert result.exit_code == 2 and "LC309, which is no rule" in result.output


def test_language_server_options_accept_the_older_code(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONFLICT, encoding="utf-8")
    session = Session([tmp_path], {"pathChecks": False, "ignore": ["LC301"]})
    linted = session.lint(path, CONFLICT)
    assert session.problem is None
    assert [d.code for d in linted.result.diagnostics] == ["LC352"]
    session.configure({"pathChecks": False, "select": "LC302"})
    assert [d.code for d in session.lint(path, CONFLICT).result.diagnostics] == ["LC352"]


# kohya: bucket bounds that do not contain the resolution (LC312, error, line 2) and a bucket
# step off the SD grid (LC333, warning, line 4), split from LC312.
BUCKETS = 'network_module = "networks.lora"\nresolution = "1280"\nenable_bucket = true\nbucket_reso_steps = 48\n'


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], ["LC312", "LC333"]),
        (["--select", "LC312"], ["LC312", "LC333"]),  # the kept code selects its own rule too
        (["--ignore", "LC312"], []),
        (["--select", "LC333"], ["LC333"]),
        (["--ignore", "LC333"], ["LC312"]),
    ],
)
def test_a_kept_code_stands_for_itself_and_the_check_split_from_it(
    tmp_path: Path, options: list[str], expected: list[str]
) -> None:
    path = tmp_path / "train.toml"
    path.write_text(BUCKETS, encoding="utf-8")
    result = runner.invoke(app, ["lint", "--format", "json", "--no-path-checks", "--isolated", *options, str(path)])
    found = [d["code"] for d in json.loads(result.stdout)["diagnostics"] if d["code"] in ("LC312", "LC333")]
    assert found == expected

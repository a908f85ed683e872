"""Per-rule fixtures: every config in tests/rules_fixtures/<CODE>/ gives exactly the
diagnostics its reviewed .expected file lists, and every rule code has a fixture that fires it.

Regenerate after an intended change with tools/update_rule_fixtures.py, then read the diff."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from lorachecks.core.diagnostics import FileResult
from lorachecks.formats import FORMATS
from lorachecks.rules import all_rules
from tests.rule_fixtures import FIXTURES, codes_fired, configs_in, expected_path, fixture_folders, lint_folder, render

# Codes no config file can make fire, each with the reason.
EXEMPT = {
    # A bug in lorachecks itself (a rule or the linter raised): a fixed config cannot cause
    # it once the bug is fixed; tests/test_robustness.py provokes it by making the linter raise.
    "LC000": "internal error",
}

# (code, format) pairs no config of that format can make fire, each with the reason. The
# file-reading codes (LC0xx) are left out of the per-format check: a file that cannot be
# read has no format yet.
NOT_IN_FORMAT = {
    ("LC002", "kohya"): "TOML refuses a repeated key itself: LC001",
    ("LC002", "kohya-dataset"): "TOML refuses a repeated key itself: LC001",
    ("LC103", "kohya"): "sd-scripts training configs need no key: the command line can give every option",
    ("LC105", "kohya-dataset"): "no dataset-config option has a fixed set of values",
    ("LC109", "kohya"): "TOML has no yes/no booleans",
    ("LC109", "kohya-dataset"): "TOML has no yes/no booleans",
    ("LC109", "lora-scripts"): "the lora-scripts schema has no boolean option",
    ("LC601", "kohya-dataset"): "no dataset-config option takes a token",
    ("LC601", "lora-scripts"): "no lora-scripts option takes a token",
    ("LC602", "kohya-dataset"): "no dataset-config key is named like a credential",
    ("LC602", "lora-scripts"): "no lora-scripts key is named like a credential",
    ("LC605", "kohya-dataset"): "a dataset config names no model or adapter file",
    ("LC700", "kohya"): "yamllint reads YAML files only",
    ("LC700", "kohya-dataset"): "yamllint reads YAML files only",
}

CLEAN_PREFIX = "ok_"  # a clean counterpart: the folder's code must not fire in it

UPDATE = "python tools/update_rule_fixtures.py"
FORMAT_NAMES = frozenset(fmt.name for fmt in FORMATS if fmt.lintable)


@functools.cache
def _results(folder: Path) -> dict[str, FileResult]:
    return lint_folder(folder)


CASES = [
    pytest.param(folder, config, id=f"{folder.name}/{config.name}")
    for folder in fixture_folders()
    for config in configs_in(folder)
]


@pytest.mark.parametrize(("folder", "config"), CASES)
def test_fixture_gives_its_expected_diagnostics(folder: Path, config: Path) -> None:
    expected = expected_path(config)
    assert expected.is_file(), f"{expected.name} is missing: write it with {UPDATE} {folder.name}, then review it"
    assert render(_results(folder)[config.name], folder) == expected.read_text(encoding="utf-8"), (
        f"the diagnostics of {folder.name}/{config.name} changed; if that is intended: {UPDATE} {folder.name}"
    )


@pytest.mark.parametrize(("folder", "config"), CASES)
def test_fixture_fires_its_code_or_is_clean(folder: Path, config: Path) -> None:
    fired = codes_fired(_results(folder)[config.name])
    if config.name.startswith(CLEAN_PREFIX):
        assert folder.name not in fired, f"the clean counterpart {config.name} fires {folder.name}"
    else:
        assert folder.name in fired, f"{config.name} does not fire {folder.name} (name a clean one {CLEAN_PREFIX}*)"


def test_every_expected_file_has_its_config() -> None:
    """A renamed or deleted fixture leaves no expected file behind that nothing checks."""
    for expected in FIXTURES.glob("LC*/*.expected"):
        assert expected.with_suffix("").is_file(), f"{expected} has no config beside it"


def test_every_rule_code_fires_in_its_own_fixture_folder() -> None:
    registered = {rule.code for rule in all_rules()}
    assert set(EXEMPT) <= registered, "an exemption names a code that no longer exists"
    folders = {folder.name: folder for folder in fixture_folders()}
    assert set(folders) <= registered, f"fixture folders for unknown codes: {sorted(set(folders) - registered)}"
    missing = []
    for code in sorted(registered - set(EXEMPT)):
        folder = folders.get(code)
        fired = folder is not None and any(code in codes_fired(r) for r in _results(folder).values())
        if not fired:
            missing.append(code)
    assert not missing, f"rule codes without a fixture that fires them: {missing}"


def test_every_rule_fires_in_every_format_it_checks() -> None:
    """A rule that checks several formats has a fixture of each that fires it (the kohya
    dataset-config variant of a check is not covered by the training-config one)."""
    fired: set[tuple[str, str | None]] = set()
    for folder in fixture_folders():
        for result in _results(folder).values():
            fired |= {(code, result.format) for code in codes_fired(result)}
    missing = []
    for rule in all_rules():
        if rule.code in EXEMPT or rule.code.startswith("LC0"):
            continue
        for name in sorted(rule.formats or FORMAT_NAMES):
            pair = (rule.code, name)
            if pair not in fired and pair not in NOT_IN_FORMAT:
                missing.append(pair)
    assert not missing, f"(code, format) pairs without a fixture that fires them: {missing}"
    stale = [pair for pair in NOT_IN_FORMAT if pair in fired]
    assert not stale, f"exempt pairs that a fixture now fires: {stale}"


def test_exempt_codes_have_no_fixture_that_fires_them() -> None:
    """An exemption that a fixture now covers is stale."""
    for code in EXEMPT:
        folder = FIXTURES / code
        if folder.is_dir():
            assert not any(code in codes_fired(r) for r in _results(folder).values()), (
                f"{code} is covered: drop its exemption"
            )

"""Per-rule fixtures: every config in tests/rules_fixtures/<CODE>/ gives exactly the
diagnostics its reviewed .expected file lists, and every rule code has a fixture that fires it.

Regenerate after an intended change with tools/update_rule_fixtures.py, then read the diff."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from lorachecks.diagnostics import FileResult
from lorachecks.rules import all_rules
from tests.rule_fixtures import FIXTURES, codes_fired, configs_in, expected_path, fixture_folders, lint_folder, render

# Codes no config file can make fire, each with the reason.
EXEMPT = {
    # A bug in lorachecks itself (a rule or the linter raised): a fixed config cannot cause
    # it once the bug is fixed, and tests/test_robustness.py provokes it by breaking a rule.
    "LC000": "internal error",
}

CLEAN_PREFIX = "ok_"  # a clean counterpart: the folder's code must not fire in it

UPDATE = "python tools/update_rule_fixtures.py"


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


def test_exempt_codes_have_no_fixture_that_fires_them() -> None:
    """An exemption that a fixture now covers is stale."""
    for code in EXEMPT:
        folder = FIXTURES / code
        if folder.is_dir():
            assert not any(code in codes_fired(r) for r in _results(folder).values()), (
                f"{code} is covered: drop its exemption"
            )

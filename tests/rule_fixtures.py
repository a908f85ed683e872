"""Per-rule fixtures (tests/rules_fixtures/<CODE>/), as ruff and yamllint keep them.

A fixture folder holds small config files that make its rule fire, each with a reviewed
``<file>.expected`` beside it listing every diagnostic of that file (not only the rule's):
line, column, code, severity, message, hint and fix. The folder is also the launch
directory, so the models, data sets and DeepSpeed files a config names live in it under
relative paths. A ``lorachecks.toml`` in the folder is the project configuration every
config of the folder is linted with (a memory budget for LC501, yamllint for LC700);
without one, no configuration file counts.

tests/test_rule_fixtures.py compares; tools/update_rule_fixtures.py writes the expected
files, which must then be read and checked against the trainer's behaviour by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lorachecks.core.diagnostics import Diagnostic, FileResult
from lorachecks.core.settings import Settings
from lorachecks.engine.config import Resolver, load_config
from lorachecks.engine.linter import lint_paths

FIXTURES = Path(__file__).resolve().parent / "rules_fixtures"
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
PROJECT_CONFIG = "lorachecks.toml"
EXPECTED_SUFFIX = ".expected"
HEADER = "# written by tools/update_rule_fixtures.py; reviewed by hand: edit only with the trainer's behaviour in mind"


def fixture_folders() -> list[Path]:
    """One folder per rule code, in code order."""
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("LC"))


def configs_in(folder: Path) -> list[Path]:
    """The files of a fixture folder that are linted: configs at its top level (anything in
    a sub-folder, and the folder's lorachecks.toml, is material the configs point at)."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CONFIG_SUFFIXES and p.name != PROJECT_CONFIG
    )


def expected_path(config: Path) -> Path:
    return config.with_name(config.name + EXPECTED_SUFFIX)


def base_settings(folder: Path) -> Settings:
    """Fixed options: launched from the fixture folder, no cache, one process, yamllint off
    (a .yamllint above the checkout must not change the verdicts) unless the folder asks."""
    return Settings(launch_dir=folder, cache_dir=None, jobs=1, yamllint=False)


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Run from the fixture folder, so the paths of the files and in messages are relative."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def lint_folder(folder: Path) -> dict[str, FileResult]:
    """Lint every config of a fixture folder in one run (run-wide rules such as LC607 see
    them all, in name order), through the library's run loop; results by file name."""
    project = folder / PROJECT_CONFIG
    config = load_config(project) if project.is_file() else None
    resolver = Resolver(base_settings(folder), config=config, isolated=config is None)
    with _inside(folder):
        names = [Path(p.name) for p in configs_in(folder)]
        return {str(result.path): result for result in lint_paths(names, resolver.base, resolver)}


def _indented(label: str, text: str) -> list[str]:
    lines = text.splitlines() or [""]
    return [f"    {label}: {lines[0]}", *(f"      {line}" for line in lines[1:])]


FOLDER_MARK = "<fixture>"


def render_diagnostic(d: Diagnostic, folder: Path) -> list[str]:
    """One diagnostic; the fixture folder's absolute path (the launch directory, which
    messages name as the trainer would see it) is written as <fixture>, so the expected
    text does not depend on where the checkout lives."""

    def located(text: str) -> str:
        return text.replace(str(folder), FOLDER_MARK)

    out = [f"{d.line}:{d.column} {d.code} {d.severity.value} {located(d.message)}"]
    if d.hint:
        out += _indented("hint", located(d.hint))
    if d.fix is not None:
        out += _indented("fix", located(d.fix.description))
    return out


def render(result: FileResult, folder: Path) -> str:
    """The expected-file text for one config linted in ``folder``."""
    status = f"status: {result.status}"
    if result.format:
        status += f" ({result.format})"
    if result.reason:
        status += f": {result.reason}"
    lines = [HEADER, status]
    for diagnostic in result.diagnostics:
        lines += render_diagnostic(diagnostic, folder)
    return "\n".join(lines) + "\n"


def codes_fired(result: FileResult) -> set[str]:
    return {d.code for d in result.diagnostics}

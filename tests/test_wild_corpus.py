"""Users' own configs: lorachecks' errors must be exactly the trainer's refusals.

`../shared/corpus/wild/<folder>/` holds configs published outside the trainers' own projects
(`SOURCES.tsv` names each file's repository). What the real trainer does with each file was
established with the trainer's own code (tests/differential for LLaMA-Factory,
tests/differential_kohya for sd-scripts) and is recorded in `tests/wild/<folder>.toml`:

    [[file]]
    name = "x.toml"       # file in ../shared/corpus/wild/<folder>/
    verdict = "runs"      # runs | refused (the trainer stops) | differs (runs, trains something else)
    when = ""             # refused/differs: when it shows ("at start-up", "after the model loads", ...)
    errors = []           # lines where lorachecks must report an error
    evidence = "..."      # what the trainer's code printed or does

Files listed in the top-level `known_gaps` still disagree with the trainer: they are expected
failures (strict), so a fix that makes one agree forces its removal from the list.

The files point at their authors' machines, so they are linted without path checks, as the
corpus README says.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from lorachecks.core.records import replace
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file, lint_paths
from tests.conftest import CORPUS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WILD = CORPUS / "wild"
VERDICTS = Path(__file__).resolve().parent / "wild"
VERDICT_KINDS = {"runs", "refused", "differs"}
# Issue 13's noise budget: at most this many warnings per real-world config, on average.
WARNINGS_PER_CONFIG = 0.2

needs_wild = pytest.mark.skipif(not WILD.is_dir(), reason="../shared/corpus/wild is not beside this checkout")


def _recorded() -> dict[str, dict[str, Any]]:
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(VERDICTS.glob("*.toml"))}


def _cases() -> list[Any]:
    cases = []
    for folder, record in _recorded().items():
        gaps = set(record.get("known_gaps", []))
        for entry in record.get("file", []):
            marks = (
                [pytest.mark.xfail(strict=True, reason="known gap: lorachecks disagrees")]
                if entry["name"] in gaps
                else []
            )
            cases.append(pytest.param(folder, entry, marks=marks, id=f"{folder}/{entry['name']}"))
    return cases


def _settings(folder: Path) -> Settings:
    return Settings(path_checks=False, launch_dir=folder)


@pytest.mark.parametrize("folder", sorted(_recorded()))
def test_verdict_file_is_well_formed(folder: str) -> None:
    record = _recorded()[folder]
    names = [e["name"] for e in record.get("file", [])]
    assert len(names) == len(set(names)), "a file is judged twice"
    assert set(record.get("known_gaps", [])) <= set(names), "a known gap names a file that has no verdict"
    for entry in record["file"]:
        assert entry["verdict"] in VERDICT_KINDS, entry
        assert entry["evidence"].strip(), f"{entry['name']}: a verdict needs its evidence"
        assert entry["errors"] == sorted(set(entry["errors"])), entry
        if entry["verdict"] == "runs":
            assert entry["errors"] == [], f"{entry['name']}: the trainer runs it, so no error is expected"
        else:
            assert entry["when"].strip() and entry["errors"], f"{entry['name']}: say when and where it fails"


@needs_wild
@pytest.mark.parametrize("folder", sorted(_recorded()))
def test_every_wild_file_is_judged(folder: str) -> None:
    """Each config of the folder has a recorded verdict, and each verdict a file."""
    on_disk = {row["file"] for row in _sources(WILD / folder)}
    judged = {e["name"] for e in _recorded()[folder]["file"]}
    assert judged == on_disk


@needs_wild
@pytest.mark.parametrize(("folder", "entry"), _cases())
def test_errors_are_the_trainers_refusals(folder: str, entry: dict[str, Any]) -> None:
    path = WILD / folder / entry["name"]
    # Verdicts were recorded with one transformers release (the record's `transformers`):
    # lint for that release, as a user whose environment lorachecks can read would.
    settings = replace(_settings(path.parent), transformers_version=_recorded()[folder].get("transformers"))
    result = lint_file(path, settings)
    got = sorted({d.line for d in result.diagnostics if d.severity.value == "error"})
    detail = [f"{d.line}: {d.code} {d.message}" for d in result.diagnostics if d.severity.value == "error"]
    assert got == entry["errors"], f"{entry['verdict']} ({entry['evidence']}); lorachecks: {detail}"


def _sources(folder: Path) -> list[dict[str, str]]:
    with (folder / "SOURCES.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def wild_warnings() -> tuple[int, int, list[str]]:
    """Warnings over the whole wild corpus, linted one repository at a time (as a user would).

    Returns the number of checked configs, the number of warnings and the warnings' lines.
    """
    checked = warnings = 0
    shown: list[str] = []
    for folder in sorted(p for p in WILD.iterdir() if (p / "SOURCES.tsv").is_file()):
        by_repo: dict[str, list[Path]] = defaultdict(list)
        for row in _sources(folder):
            by_repo[row["repo"]].append(folder / row["file"])
        for paths in by_repo.values():
            for result in lint_paths(sorted(paths), _settings(folder)):
                checked += result.status == "checked"
                for d in result.diagnostics:
                    if d.severity.value == "warning":
                        warnings += 1
                        shown.append(f"{Path(d.path).name}:{d.line}: {d.code} {d.message}")
    return checked, warnings, shown


@needs_wild
def test_warnings_stay_within_the_noise_budget() -> None:
    checked, warnings, shown = wild_warnings()
    assert checked >= 40
    assert warnings <= WARNINGS_PER_CONFIG * checked, "\n".join(shown)

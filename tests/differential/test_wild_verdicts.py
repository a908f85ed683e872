"""The real LLaMA-Factory still gives the verdicts recorded in tests/wild/llamafactory.toml.

tests/test_wild_corpus.py checks lorachecks against those records on every run; this opt-in
test (LORACHECKS_LF_VENV) re-runs the trainer on the users' configs with wild_oracle.py and
checks the records still describe what it does, so a trainer upgrade that changes a verdict
shows up here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.differential.harness import lf_environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
WILD = CORPUS / "wild" / "llamafactory"
RECORD = tomllib.loads((HERE.parent / "wild" / "llamafactory.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def wild_outcomes(lf_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not WILD.is_dir():
        pytest.skip("../shared/corpus/wild/llamafactory is not beside this checkout")
    out = tmp_path_factory.mktemp("wild")
    subprocess.run(
        [str(lf_venv / "bin" / "python"), str(HERE / "wild_oracle.py"), str(WILD), str(out)],
        env=lf_environment(lf_venv, out / "home", {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=900,
        check=True,
    )
    outcomes: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return outcomes


@pytest.mark.parametrize("entry", RECORD["file"], ids=lambda e: e["name"])
def test_trainer_gives_the_recorded_verdict(wild_outcomes: dict[str, Any], entry: dict[str, Any]) -> None:
    parse, train = wild_outcomes[entry["name"]]["parse"], wild_outcomes[entry["name"]]["train"]
    if entry["verdict"] == "refused":
        failed = parse if parse["returncode"] != 0 else train
        assert failed["returncode"] != 0, "the trainer no longer refuses this file"
        head = str(failed["error"]).split(":", 1)[-1].strip()[:40]
        assert head and head in entry["evidence"], failed["error"]
        return
    assert parse["returncode"] == 0, parse["error"]
    assert train["returncode"] == 0 and train["trained"], train["error"]
    if entry["verdict"] == "differs":  # the two `enable_thinking: None` files
        assert parse["parsed"]["enable_thinking"] == "'None'"

"""sd-scripts still gives the verdicts recorded in tests/wild/kohya.toml (opt-in: needs the oracle).

tests/test_wild_corpus.py checks lorachecks against the recorded verdicts on every run; this
re-derives each verdict from sd-scripts' own start-up code, so the record is evidence, not opinion.
A `differs` verdict runs through start-up (what differs shows later, as its evidence says).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.differential_kohya.conftest import BASE_TRAINING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WILD = CORPUS / "wild" / "kohya"
RECORD = tomllib.loads((Path(__file__).resolve().parents[1] / "wild" / "kohya.toml").read_text(encoding="utf-8"))


@pytest.mark.skipif(not WILD.is_dir(), reason="../shared/corpus/wild is not beside this checkout")
@pytest.mark.parametrize("entry", [e for e in RECORD["file"] if e["script"]], ids=lambda e: e["name"])
def test_sd_scripts_gives_the_recorded_verdict(sd_scripts_oracle: Any, entry: dict[str, Any]) -> None:
    if entry.get("role") == "dataset":
        result = sd_scripts_oracle(entry["script"], BASE_TRAINING, WILD / entry["name"])
    else:
        paired = entry.get("dataset_config")
        result = sd_scripts_oracle(entry["script"], WILD / entry["name"], WILD / paired if paired else None)
    expected = "refused" if entry["verdict"] == "refused" else "runs"
    assert result["verdict"] == expected, result

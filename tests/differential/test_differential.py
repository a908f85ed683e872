"""lorachecks reports an error exactly when the real LLaMA-Factory trainer does not finish.

Each case is one config variant; the trainer runs 1 step on CPU with a tiny local Llama.
See docs/differential.md for the result table.
"""

from __future__ import annotations

import pytest

from tests.differential.cases import CASES, Case
from tests.differential.harness import Outcome


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_verdicts_agree(case: Case, outcomes: dict[str, Outcome]) -> None:
    got = outcomes[case.name]
    detail = (
        f"\nLLaMA-Factory: {got.lf.outcome} (exit {got.lf.returncode}) {got.lf.error}"
        f"\nlorachecks errors: {got.lint.errors}\nconfig: {got.config}\n--- trainer output tail ---\n{got.lf.tail}"
    )
    # The case still shows what it was written for: the trainer's own verdict.
    assert got.lf.failed == case.lf_fails, "LLaMA-Factory's verdict changed" + detail
    if case.known_difference:
        assert got.lint.failed != got.lf.failed, "documented difference no longer holds" + detail
    else:
        assert got.lint.failed == got.lf.failed, "lorachecks disagrees with the trainer" + detail

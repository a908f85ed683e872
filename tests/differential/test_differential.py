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


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_dry_run_agrees_with_the_trainer(case: Case, outcomes: dict[str, Outcome]) -> None:
    """`lorachecks dry-run` stops exactly when the trainer does not finish its step, and
    counts the trainable parameters the trainer logs."""
    got = outcomes[case.name]
    if got.dry is None:
        pytest.skip("the dry-run extra (torch, transformers, peft) is not installed")
    detail = (
        f"\nLLaMA-Factory: {got.lf.outcome} {got.lf.error} (trainable {got.lf.trainable})"
        f"\ndry-run errors: {got.dry.errors} (trainable {got.dry.trainable})\nconfig: {got.config}"
    )
    # Wherever both built the model (the trainer logs its count before it trains), the counts agree.
    if got.lf.trainable is not None and got.dry.trainable is not None:
        assert got.dry.trainable == got.lf.trainable, "trainable parameters differ" + detail
    if case.dry_run_difference:
        assert got.dry.failed != got.lf.failed, "documented dry-run difference no longer holds" + detail
        return
    assert got.dry.failed == got.lf.failed, "dry-run disagrees with the trainer" + detail
    if not got.lf.failed:
        assert got.dry.trainable == got.lf.trainable, "trainable parameters differ" + detail


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_dry_run_on_meta_agrees_with_cpu(case: Case, outcomes: dict[str, Outcome]) -> None:
    """`--device meta` (architecture only, no weights) gives the verdict and the count of the CPU step."""
    got = outcomes[case.name]
    if got.dry is None or got.dry.meta is None:
        pytest.skip("the dry-run extra (torch, transformers, peft) is not installed")
    meta = got.dry.meta
    detail = (
        f"\ncpu: {got.dry.errors} ({got.dry.trainable})\nmeta: {meta.errors} ({meta.trainable})\nconfig: {got.config}"
    )
    assert meta.failed == got.dry.failed, "meta and cpu verdicts differ" + detail
    if meta.trainable is not None and got.dry.trainable is not None:
        assert meta.trainable == got.dry.trainable, "meta and cpu counts differ" + detail

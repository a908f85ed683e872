"""Linting must never import the heavy ML stack (torch, transformers, peft, diffusers)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("torch", "transformers", "peft", "diffusers", "accelerate")

PROBE = """
import sys
from lorachecks.cli.app import app
for args in {commands}:
    try:
        app(args)
    except SystemExit:
        pass
heavy = sorted(m for m in {heavy} if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "commands",
    [
        [["lint", "examples/"]],
        [["rules"], ["explain", "LC101"], ["version"]],
        [["dry-run", "--help"]],
    ],
    ids=["lint", "rules-explain", "dry-run-help"],
)
def test_commands_import_no_ml_framework(commands: list[list[str]]) -> None:
    probe = PROBE.format(commands=commands, heavy=HEAVY)
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "HEAVY:\n" in proc.stdout, proc.stdout[-500:]


def test_dryrun_package_imports_ml_lazily() -> None:
    probe = f"import sys, lorachecks.dryrun; print('HEAVY:' + ','.join(m for m in {HEAVY} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "HEAVY:\n" in proc.stdout, proc.stdout[-500:]

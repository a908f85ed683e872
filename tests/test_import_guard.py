"""Linting must never import the heavy ML stack (torch, transformers, peft)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import sys
from lorachecks.cli import app
try:
    app(["lint", "examples/"])
except SystemExit:
    pass
heavy = sorted(m for m in ("torch", "transformers", "peft", "diffusers", "accelerate") if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


def test_lint_imports_no_ml_framework() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "HEAVY:\n" in proc.stdout, proc.stdout[-500:]

"""`lorachecks dry-run CONFIG`: build the model with PEFT and run real training steps.

This package is imported only by the `dry-run` command, and torch, transformers, peft and
diffusers only inside the modules that need them (`step`, `lm`, `diffusion`), so linting
never pays for them. Install them with the `dryrun` / `dryrun-diffusion` extras.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from lorachecks.dryrun.codes import CODES
from lorachecks.dryrun.runner import DEVICES, Options, dry_run

__all__ = ["CODES", "DEVICES", "Options", "dry_run", "main"]


def main(config: Path, options: Options, output_format: str = "text", out: TextIO | None = None) -> int:
    """Run and print the report; returns the exit code (0 passed, 1 failed)."""
    from lorachecks.dryrun.report import render_json, render_text

    stream = out or sys.stdout
    report = dry_run(config, options)
    if output_format == "json":
        render_json(report, stream)
    else:
        render_text(report, stream, color=out is None and stream.isatty())
    return 0 if report.ok else 1

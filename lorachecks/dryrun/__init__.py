"""`lorachecks dry-run CONFIG`: build the model with PEFT and run real training steps.

This package is imported only by the `dry-run` command, and torch, transformers, peft and
diffusers only inside the modules that need them (`step`, `lm`, `diffusion`), so linting
never pays for them. Install them with the `dryrun` / `dryrun-diffusion` extras.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from lorachecks.dryrun.codes import CODES
from lorachecks.dryrun.runner import DEVICES, INITS, Options, SettingsError, dry_run

__all__ = ["CODES", "DEVICES", "INITS", "Options", "SettingsError", "dry_run", "main"]

EXIT_USAGE = 2


def main(configs: list[Path], options: Options, output_format: str = "text", out: TextIO | None = None) -> int:
    """Run each config and print its report; returns the exit code (0 all passed, 1 any failed).

    With several files (as pre-commit passes them), files that are not training configs are
    skipped rather than failed; JSON output is then a list of reports. A project configuration
    that cannot be read is a usage error (exit 2), as for `lint`.
    """
    from lorachecks.dryrun.report import render_json, render_text

    stream = out or sys.stdout
    failed = False
    documents: list[dict[str, object]] = []
    for config in configs:
        try:
            report = dry_run(config, options)
        except SettingsError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return EXIT_USAGE
        skipped = len(configs) > 1 and not report.kind and all(d.code == "DR002" for d in report.diagnostics)
        if output_format == "json" and len(configs) > 1:
            documents.append({**report.as_dict(), "skipped": skipped})
        elif output_format == "json":
            render_json(report, stream)
        elif skipped:
            stream.write(f"skipped: {config} (not a training config)\n")
        else:
            render_text(report, stream, color=out is None and stream.isatty())
        failed = failed or (not report.ok and not skipped)
    if output_format == "json" and len(configs) > 1:
        json.dump(documents, stream, indent=2)
        stream.write("\n")
    return 1 if failed else 0

"""`--format json`: a stable, versioned document for scripts and CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from lorachecks.report import Run

VERSION = 1


def _own_environment(run: Run, path: Path, file_format: str | None) -> dict[str, object]:
    """A LLaMA-Factory file judged for other versions than the run's (project settings)."""
    if file_format != "llamafactory" or run.environment_for is None:
        return {}
    own = run.environment_for(path)
    return {"environment": own} if own != run.environment else {}


def render(run: Run, out: TextIO) -> None:
    document = {
        "version": VERSION,
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "key": d.key,
                "hint": d.hint,
            }
            for d in run.diagnostics
        ],
        "summary": run.summary(),
        "environment": run.environment,
        "files": [
            {"path": str(f.path), "status": f.status, "format": f.format, "reason": f.reason or None}
            | _own_environment(run, f.path, f.format)
            for f in run.files
        ],
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")

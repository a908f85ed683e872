"""`--format json`: a stable, versioned document for scripts and CI."""

from __future__ import annotations

import json
from typing import TextIO

from lorachecks.report import Run

VERSION = 1


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
            {"path": str(f.path), "status": f.status, "format": f.format, "reason": f.reason or None} for f in run.files
        ],
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")

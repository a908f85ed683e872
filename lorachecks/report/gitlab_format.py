"""`--format gitlab`: a GitLab Code Quality report (``artifacts:reports:codequality``)."""

from __future__ import annotations

import json
from typing import TextIO

from lorachecks.report import Run
from lorachecks.report.common import fingerprints, full_message, repo_path

# GitLab severities: info, minor, major, critical, blocker.
_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def _category(code: str) -> str:
    if code.startswith("LC6"):
        return "Security"
    if code.startswith("LC5"):
        return "Performance"
    return "Bug Risk"


def render(run: Run, out: TextIO) -> None:
    issues = [
        {
            "type": "issue",
            "check_name": d.code,
            "description": f"{d.code}: {full_message(d)}",
            "categories": [_category(d.code)],
            "severity": _SEVERITY[d.severity.value],
            "fingerprint": fingerprint,
            "location": {"path": repo_path(d.path), "lines": {"begin": max(d.line, 1)}},
        }
        for d, fingerprint in fingerprints(run.diagnostics)
    ]
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")

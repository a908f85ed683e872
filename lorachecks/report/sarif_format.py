"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from lorachecks import __version__
from lorachecks.core.diagnostics import Diagnostic
from lorachecks.report import Run
from lorachecks.report.common import fingerprints, full_message, repo_path

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rules(codes: set[str]) -> list[dict[str, Any]]:
    from lorachecks.rules import all_rules

    known = {r.code: r for r in all_rules()}
    out: list[dict[str, Any]] = []
    for code in sorted(codes | set(known)):
        rule = known.get(code)
        if rule is None:  # e.g. LC000, an internal error
            out.append({"id": code, "shortDescription": {"text": code}})
            continue
        out.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": inspect.cleandoc(rule.doc) or rule.summary},
                "help": {"text": f"{inspect.cleandoc(rule.doc)}\n\nMore: lorachecks explain {code}"},
                "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
                "properties": {"formats": sorted(rule.formats) if rule.formats is not None else ["all"]},
            }
        )
    return out


def _location(d: Diagnostic) -> dict[str, Any]:
    path = repo_path(d.path)
    if Path(path).is_absolute():
        artifact: dict[str, Any] = {"uri": Path(path).as_uri()}
    else:
        artifact = {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if d.line >= 1:
        region: dict[str, Any] = {"startLine": d.line}
        if d.column >= 1:
            region["startColumn"] = d.column
        physical["region"] = region
    return {"physicalLocation": physical}


def render(run: Run, out: TextIO) -> None:
    diagnostics = run.diagnostics
    rules = _rules({d.code for d in diagnostics})
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for d, fingerprint in fingerprints(diagnostics):
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity.value],
            "message": {"text": full_message(d)},
            "locations": [_location(d)],
            "partialFingerprints": {"lorachecks/v1": fingerprint},
        }
        if d.key is not None:
            result["properties"] = {"key": d.key}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lorachecks",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }
    json.dump(log, out, indent=2, ensure_ascii=False)
    out.write("\n")

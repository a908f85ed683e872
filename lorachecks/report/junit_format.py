"""`--format junit`: JUnit XML for Jenkins (``junit`` step) and other CI test-report viewers.

One test suite per file. Each error (and each warning with ``--strict``) is a failed test
case; other findings are passing test cases whose output carries the message; a file with no
failing finding gets a passing ``lint`` case; a file that is not a config is a skipped case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from lorachecks.report import Run
from lorachecks.report.common import full_message, repo_path, xml_text


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": xml_text(classname), "name": xml_text(name), "time": "0"})


def render(run: Run, out: TextIO) -> None:
    root = ET.Element("testsuites", {"name": "lorachecks"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for f in run.files:
        path = repo_path(f.path)
        classname = path.replace(".", "_")  # Jenkins splits class names at dots
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(path)})
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        failing = [d for d in f.diagnostics if run.fails(f, d)]
        for d in f.diagnostics:
            where = f"{path}:{d.line}:{d.column}"
            case = _case(suite, classname, f"{d.code} {d.key or d.severity.value} ({where})")
            counts["tests"] += 1
            text = xml_text(f"{where}: {d.code} {d.severity.value} {full_message(d)}")
            if run.fails(f, d):
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", {"message": xml_text(d.message), "type": d.code})
                failure.text = text
            else:
                ET.SubElement(case, "system-out").text = text
        if not failing:
            case = _case(suite, classname, "lint")
            counts["tests"] += 1
            if f.status == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", {"message": xml_text(f.reason or "not a training config")})
        suite.attrib.update({k: str(v) for k, v in counts.items()} | {"errors": "0", "time": "0"})
        for k, v in counts.items():
            totals[k] += v
    root.attrib.update({k: str(v) for k, v in totals.items()} | {"errors": "0", "time": "0"})
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")

"""Helpers shared by the CI output formats: stable paths, rule metadata, fingerprints."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from lorachecks.core.diagnostics import Diagnostic

# Characters XML 1.0 cannot carry at all (even escaped).
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def repo_path(path: str | Path) -> str:
    """``path`` as CI systems expect it: relative to the working directory when inside it, ``/``-separated."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return p.as_posix()


def full_message(d: Diagnostic) -> str:
    return f"{d.message}\nhint: {d.hint}" if d.hint else d.message


def rule_name(code: str) -> str | None:
    from lorachecks.rules import rule_by_code

    rule = rule_by_code(code)
    return rule.name if rule is not None else None


def fingerprints(diagnostics: list[Diagnostic]) -> Iterator[tuple[Diagnostic, str]]:
    """A stable id per finding: file, rule and key (not the line, so moving code keeps it), plus a counter."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for d in diagnostics:
        what = (repo_path(d.path), d.code, d.key if d.key is not None else d.message)
        seen[what] += 1
        digest = hashlib.sha256("\0".join((*what, str(seen[what]))).encode("utf-8", "surrogatepass"))
        yield d, digest.hexdigest()


def xml_text(text: str) -> str:
    """Replace characters XML 1.0 cannot represent (control bytes, lone surrogates) by ``\\xNN`` escapes."""
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}", text)

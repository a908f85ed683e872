"""The rule registry: every module in this package with a ``CODE`` is a rule.

A rule module holds one check. Its docstring is the user documentation shown by
``lorachecks explain`` (first line: summary; then "Why it matters" and an example), and it
defines ``CODE`` (stable, e.g. ``LC101``), ``NAME``, ``SEVERITY`` (the default level),
``FORMATS`` (format names it applies to, or ``None`` for all) and ``check(ctx)``, which
yields :class:`~lorachecks.rules.context.Finding` objects. ``FIXABLE = True`` marks a rule
whose findings may carry a safe fix (built with :mod:`lorachecks.edits`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    formats: frozenset[str] | None
    check: Callable[[RuleContext], Iterable[Finding]]
    doc: str
    fixable: bool = False  # the rule attaches safe fixes to (some of) its findings

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name

    def applies_to(self, format_name: str) -> bool:
        return self.formats is None or format_name in self.formats


def _rule_from(module: ModuleType) -> Rule:
    formats = getattr(module, "FORMATS", None)
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        formats=frozenset(formats) if formats is not None else None,
        check=module.check,
        doc=module.__doc__ or "",
        fixable=bool(getattr(module, "FIXABLE", False)),
    )


@cache
def all_rules() -> tuple[Rule, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("lc"):
            found.append(_rule_from(importlib.import_module(f"{__name__}.{info.name}")))
    return tuple(sorted(found, key=lambda r: r.code))


def rule_by_code(code: str) -> Rule | None:
    wanted = code.upper()
    return next((r for r in all_rules() if r.code == wanted or r.name == code.lower()), None)

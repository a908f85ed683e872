"""The rule registry: every module in this package with a ``CODE`` is a rule.

A rule module holds one check. Its docstring is the user documentation shown by
``lorachecks explain`` (first line: summary; then "Why it matters" and an example), and it
defines ``CODE`` (stable, e.g. ``LC101``), ``NAME``, ``SEVERITY`` (the default level),
``FORMATS`` (format names it applies to, or ``None`` for all) and ``check(ctx)``, which
yields :class:`~lorachecks.rules.context.Finding` objects. ``FIXABLE = True`` marks a rule
whose findings may carry a safe fix (built with :mod:`lorachecks.edits`).

A rule that compares files (one ``output_dir`` used by several configs) also defines
``check_run(facts, settings)``: ``check(ctx)`` records what it needs in
``ctx.facts[CODE]``, and after every file is linted ``check_run`` receives one entry per
file (``None`` where nothing was recorded) and yields ``(file index, Finding)`` pairs; the
finding needs an explicit ``position``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

if TYPE_CHECKING:
    from lorachecks.settings import Settings

RunCheck = Callable[[Sequence[Any], "Settings"], Iterable[tuple[int, Finding]]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    formats: frozenset[str] | None
    check: Callable[[RuleContext], Iterable[Finding]]
    doc: str
    fixable: bool = False  # the rule attaches safe fixes to (some of) its findings
    check_run: RunCheck | None = None

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
        check_run=getattr(module, "check_run", None),
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

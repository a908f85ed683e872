"""The rule registry: every module in this package with a ``CODE`` is a rule.

A rule module holds one check. Its docstring is the user documentation shown by
``lorachecks explain`` (first line: summary; then "Why it matters" and an example), and it
defines ``CODE`` (stable, e.g. ``LC101``), ``NAME``, ``SEVERITY`` (the default level),
``FORMATS`` (format names it applies to, or ``None`` for all) and ``check(ctx)``, which
yields :class:`~lorachecks.rules.context.Finding` objects. ``FIXABLE = True`` marks a rule
whose findings may carry a safe fix (built with :mod:`lorachecks.edits`).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

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


_STATIC = re.compile(r"^(CODE|FORMATS)\s*(?::[^=]*)?=\s*(.+)$", re.M)


@cache
def rules_for(format_name: str | None) -> tuple[Rule, ...]:
    """The rules that can apply to a file of this format (None: unrecognised files), in
    code order, importing only their modules: a pre-commit hook on one LLaMA-Factory config
    need not load the kohya or lora-scripts rules. ``CODE`` and ``FORMATS`` are read from
    the module source when they are literals; otherwise the module is imported to know."""
    if all_rules.cache_info().currsize:  # everything is loaded already
        return tuple(r for r in all_rules() if r.formats is None or format_name in r.formats)
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("lc"):
            continue
        formats = _static_formats(info.name)
        if formats is not None and formats is not ... and format_name not in formats:
            continue  # declared for other formats: not imported
        rule = _rule_from(importlib.import_module(f"{__name__}.{info.name}"))
        if rule.formats is None or format_name in rule.formats:
            found.append(rule)
    return tuple(sorted(found, key=lambda r: r.code))


def _static_formats(module: str) -> Any:
    """A module's literal ``FORMATS`` (None for every format), or ``...`` when unknown."""
    try:
        source = (Path(__path__[0]) / f"{module}.py").read_text(encoding="utf-8")
        assignments = {name: value for name, value in _STATIC.findall(source)}
        value = ast.literal_eval(assignments["FORMATS"].split("#")[0].strip()) if "FORMATS" in assignments else None
    except (OSError, ValueError, SyntaxError, IndexError, UnicodeDecodeError):
        return ...
    if value is None:
        return None
    if isinstance(value, (tuple, list, set, frozenset)) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return ...


def rule_by_code(code: str) -> Rule | None:
    wanted = code.upper()
    return next((r for r in all_rules() if r.code == wanted or r.name == code.lower()), None)

"""The rule registry: every module in this package with a ``CODE`` is a rule.

A rule module holds one check. Its docstring is the user documentation shown by
``lorachecks explain`` (first line: summary; then "Why it matters" and an example), and it
defines ``CODE`` (stable, e.g. ``LC101``), ``NAME``, ``SEVERITY`` (the default level),
``FORMATS`` (format names it applies to, or ``None`` for all) and ``check(ctx)``, which
yields :class:`~lorachecks.rules.context.Finding` objects. ``FIXABLE = True`` marks a rule
whose findings may carry a safe fix (built with :mod:`lorachecks.rules.edits`).

A rule that compares files (one ``output_dir`` used by several configs) also defines
``check_run(fact, earlier)``: ``check(ctx)`` records what it needs in ``ctx.facts[CODE]``,
then, file by file in discovery order, ``check_run`` gets that fact and ``earlier``, a dict
the rule keeps for the whole run, and yields findings about this file (with an explicit
``position``). Findings land on the later file, as a duplicate key is reported where it is
repeated: results can be reported as they arrive.

A rule that took over part of an older code declares ``ALIASES = ("LC301",)``: wherever a
user names a code (``--select``, ``--ignore``, the project configuration, inline
``disable=`` comments, ``explain``), the old code stands for every rule that lists it.
"""

from __future__ import annotations

import _thread
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.diagnostics import Severity
from lorachecks.core.records import record
from lorachecks.rules.context import Finding, RuleContext

if TYPE_CHECKING:
    from types import ModuleType

RunCheck = Callable[[Any, dict[Any, Any]], Iterable[Finding]]


@record(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    formats: frozenset[str] | None
    check: Callable[[RuleContext], Iterable[Finding]]
    doc: str
    fixable: bool = False  # the rule attaches safe fixes to (some of) its findings
    check_run: RunCheck | None = None
    aliases: tuple[str, ...] = ()  # older codes that still select this rule

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
        aliases=tuple(getattr(module, "ALIASES", ())),
    )


@cache
def all_rules() -> tuple[Rule, ...]:
    found = [_rule_from(importlib.import_module(f"{__name__}.{name}")) for name in _module_names()]
    return tuple(sorted(found, key=lambda r: r.code))


def scan() -> tuple[tuple[str, str, frozenset[str] | None, tuple[str, ...]], ...]:
    """(module, CODE, FORMATS, ALIASES) of every rule module, found by listing and importing
    the package: what tools/gen_rule_index.py writes to ``_index.py``."""
    rules = [(name, _rule_from(importlib.import_module(f"{__name__}.{name}"))) for name in _scanned_names()]
    return tuple(sorted(((name, r.code, r.formats, r.aliases) for name, r in rules), key=lambda item: item[1]))


def _scanned_names() -> list[str]:
    import pkgutil

    return [info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("lc")]


@cache
def _indexed() -> tuple[tuple[str, str, tuple[str, ...] | None], ...] | None:
    """The generated index (_index.py) when it names exactly the rule modules present, so
    start-up neither scans the package nor reads every rule's source; None when stale."""
    from lorachecks.rules._index import RULES

    try:
        entries = [entry for entry in os.listdir(__path__[0]) if entry.startswith("lc")]
    except OSError:  # not a folder (a zip archive): scan the way the import system sees it
        return None
    if all(entry.endswith(".py") for entry in entries) and {e[:-3] for e in entries} == {r[0] for r in RULES}:
        return RULES
    return None


def _module_names() -> list[str]:
    index = _indexed()
    return [name for name, _, _ in index] if index is not None else _scanned_names()


def rules_for(format_name: str | None) -> tuple[Rule, ...]:
    """The rules that can apply to a file of this format (None: unrecognised files), in
    code order, importing only their modules: a pre-commit hook on one LLaMA-Factory config
    need not load the kohya or lora-scripts rules. ``CODE`` and ``FORMATS`` are read from
    the module source when they are literals; otherwise the module is imported to know.
    A module whose ``check`` was replaced (tests) gets a fresh Rule."""
    cached = _for.get(format_name)
    if cached is not None:  # every file asks: check the cached rules are still current
        for known_name, known_module, known_rule in cached[0]:
            if sys.modules.get(known_name) is not known_module or known_module.check is not known_rule.check:
                break
        else:
            return cached[1]
    with _loading:  # linting from several threads: one thread builds, the others wait
        out = []
        current = []
        for name in _modules_for(format_name):
            # import_module, not sys.modules: another thread's import may still be running.
            module = importlib.import_module(name)
            rule = _built.get(name)
            if rule is None or rule.check is not module.check:
                rule = _built[name] = _rule_from(module)
            out.append(rule)
            current.append((name, module, rule))
        _for[format_name] = (tuple(current), tuple(out))
        return _for[format_name][1]


_loading = _thread.RLock()
_built: dict[str, Rule] = {}
_for: dict[str | None, tuple[tuple[tuple[str, ModuleType, Rule], ...], tuple[Rule, ...]]] = {}


@cache
def _modules_for(format_name: str | None) -> tuple[str, ...]:
    index = _indexed()
    if index is not None:
        return tuple(f"{__name__}.{name}" for name, _, formats in index if formats is None or format_name in formats)
    found = []
    for name in _scanned_names():
        formats = _static_formats(name)
        if formats is not None and formats is not ... and format_name not in formats:
            continue  # declared for other formats: not imported
        module = importlib.import_module(f"{__name__}.{name}")
        rule = _rule_from(module)
        if rule.formats is None or format_name in rule.formats:
            found.append((rule.code, module.__name__))
    return tuple(name for _, name in sorted(found))


def _static_formats(module: str) -> Any:
    """A module's literal ``FORMATS`` (None for every format), or ``...`` when unknown."""
    import ast
    import re

    try:
        source = (Path(__path__[0]) / f"{module}.py").read_text(encoding="utf-8")
        pattern = r"^(CODE|FORMATS)\s*(?::[^=]*)?=\s*(.+)$"
        assignments = {name: value for name, value in re.findall(pattern, source, re.M)}
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


@cache
def aliases() -> dict[str, tuple[str, ...]]:
    """Rule code -> the older codes that still select it (only rules that have some), from the
    index without importing the rules when it is current."""
    from lorachecks.rules._index import ALIASES

    if _indexed() is not None:
        return ALIASES
    return {r.code: r.aliases for r in all_rules() if r.aliases}


def codes_for_alias(code: str) -> tuple[str, ...]:
    """The codes an older code now stands for (empty: ``code`` is no alias)."""
    wanted = code.upper()
    return tuple(sorted(c for c, old in aliases().items() if wanted in old))

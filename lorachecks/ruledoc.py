"""Rule documentation rendered from the rule modules' own docstrings.

`lorachecks rules` prints the table, `lorachecks explain CODE` one rule, and
`lorachecks rules --format markdown > docs/rules.md` regenerates the documentation page
(a test fails when the committed page is stale).
"""

from __future__ import annotations

import inspect

from lorachecks.rules import Rule, all_rules, codes_for_alias, rule_by_code


def formats_of(rule: Rule) -> str:
    return ", ".join(sorted(rule.formats)) if rule.formats else "all"


def body_of(rule: Rule) -> str:
    """The docstring without its summary line."""
    lines = inspect.cleandoc(rule.doc).splitlines()
    return "\n".join(lines[1:]).strip()


def text_table() -> str:
    rows = [
        f"{r.code}  {r.name:<24} {r.severity.value:<8} {'fix' if r.fixable else '   '}  {formats_of(r):<14} {r.summary}"
        for r in all_rules()
    ]
    return "\n".join(rows) + "\n"


def explain(rule: Rule) -> str:
    fixable = "; `lorachecks fix` can fix it" if rule.fixable else ""
    older = f"; also selected by the older code {', '.join(rule.aliases)}" if rule.aliases else ""
    return (
        f"{rule.code} ({rule.name}), default severity: {rule.severity.value}, formats: {formats_of(rule)}"
        f"{fixable}{older}\n\n{inspect.cleandoc(rule.doc)}\n"
    )


def explain_alias(code: str) -> str:
    """What an older code stands for now: the rules that took it over, one line each."""
    rules = [rule for rule in map(rule_by_code, codes_for_alias(code)) if rule is not None]
    lines = [f"{r.code} ({r.name}, {r.severity.value}): {r.summary}" for r in rules]
    return (
        f"{code} is an older code: it now stands for these {len(rules)} rules, and selecting, ignoring or"
        f" disabling {code} means all of them (`lorachecks explain CODE` for each):\n\n" + "\n".join(lines) + "\n"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The whole docs/rules.md page."""
    rules = all_rules()
    out = [
        "# Rules",
        "",
        "<!-- Generated from the rule modules' docstrings by"
        " `lorachecks rules --format markdown > docs/rules.md`; do not edit by hand. -->",
        "",
        "Severity is the default level; change it per project with `severity` in the",
        "configuration, silence a line with `# lorachecks: disable=CODE`. Rules marked *fix*",
        "offer a safe fix: `lorachecks fix PATH` (or `lorachecks lint --fix`, `--diff` to preview).",
        "",
        "| code | name | severity | fix | formats | summary |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        out.append(
            f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity.value} | "
            f"{'fix' if r.fixable else ''} | {formats_of(r)} | {_cell(r.summary)} |"
        )
    older = sorted({a for r in rules for a in r.aliases})
    if older:
        out += [
            "",
            "Older codes still work wherever a code is written and stand for every rule that took them over:",
            "",
        ]
        out += [f"- {code}: {', '.join(codes_for_alias(code))}" for code in older]
    for r in rules:
        meta = f"Default severity: **{r.severity.value}**. Formats: {formats_of(r)}."
        if r.fixable:
            meta += " Fixable with `lorachecks fix`."
        if r.aliases:
            meta += f" Also selected by the older code {', '.join(r.aliases)}."
        out += ["", f"## {r.code} {r.name}", "", f"**{r.summary}**", "", meta, "", body_of(r)]
    return "\n".join(out).rstrip() + "\n"

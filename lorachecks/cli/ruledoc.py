"""Rule documentation rendered from the rule modules' own docstrings.

`lorachecks rules` prints the table, `lorachecks explain CODE` one rule, and
`lorachecks rules --format markdown > docs/rules.md` regenerates the documentation page
(a test fails when the committed page is stale).

A docstring is the summary line (what the rule does), then sections in the order of
``SECTIONS``, each a paragraph starting with its name and a colon (``Why it matters: ...``;
the example's first paragraph is ``Example, bad:`` or ``Example: ...``, its good version a
following ``Good:`` paragraph). Text between the summary and the first section says more
about what the rule does.
"""

from __future__ import annotations

import inspect
import re

from lorachecks.core.records import record
from lorachecks.rules import Rule, all_rules, codes_for_alias, rule_by_code

# The sections of a rule's documentation, in the order they are written and shown (ruff's
# "what it does / why is this bad / example / fix safety / options", plus where the
# trainer enforces the behaviour and what it does when it meets it).
WHAT = "What it does"
SECTIONS = (
    "Why it matters",
    "Example",
    "Fix safety",  # rules that offer fixes: what a fix changes and why that is safe
    "Options",  # settings and command-line flags that change the rule
    "Trainer source",  # the trainer's file and function that enforce (or ignore) it
    "When the trainer stops",
)
_GOOD = re.compile(r"^Good\b[^:\n]*:")  # an example's good version, after its bad one
_LABEL = re.compile(r"^(" + "|".join(re.escape(name) for name in SECTIONS) + r")\b[^:\n]*:")


@record(frozen=True, slots=True)
class Section:
    name: str
    text: str  # the section's paragraphs as written, its label included


def sections(rule: Rule) -> list[Section]:
    """The docstring's body split into its sections, in the order written; text before
    the first labelled paragraph is ``What it does``."""
    out: list[Section] = []
    name, paragraphs = WHAT, list[str]()
    for paragraph in re.split(r"\n\s*\n", body_of(rule)):
        match = _LABEL.match(paragraph)
        if match:
            if paragraphs:
                out.append(Section(name, "\n\n".join(paragraphs)))
            name, paragraphs = match.group(1), []
        if paragraph.strip():
            paragraphs.append(paragraph)
    if paragraphs:
        out.append(Section(name, "\n\n".join(paragraphs)))
    return out


def _markdown_section(section: Section) -> list[str]:
    """A section as written, its labels in bold (``**Why it matters:** ...``, and an
    example's ``**Good:**``), so each section stands out in the page as in ``explain``."""
    out = []
    for paragraph in re.split(r"\n\s*\n", section.text):
        match = _LABEL.match(paragraph) or _GOOD.match(paragraph)
        if match is not None and section.name != WHAT:
            paragraph = f"**{match.group(0)}**{paragraph[match.end() :]}"
        out += [paragraph, ""]
    return out


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
        out += ["", f"## {r.code} {r.name}", "", f"**{r.summary}**", "", meta, ""]
        for section in sections(r):
            out += _markdown_section(section)
    return "\n".join(out).rstrip() + "\n"

"""Rule documentation: the table, explain, and docs/rules.md kept in step with the code."""

from __future__ import annotations

from typer.testing import CliRunner

from lorachecks.cli import ruledoc
from lorachecks.cli.app import app
from lorachecks.rules import all_rules
from tests.conftest import ROOT

runner = CliRunner()
REGENERATE = "lorachecks rules --format markdown > docs/rules.md"


def test_docs_rules_md_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == ruledoc.markdown(), f"docs/rules.md is stale; regenerate it: {REGENERATE}"


def test_markdown_lists_every_rule_with_its_documentation() -> None:
    page = runner.invoke(app, ["rules", "--format", "markdown"]).stdout
    assert page == ruledoc.markdown()
    for rule in all_rules():
        assert f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} |" in page
        assert f"## {rule.code} {rule.name}" in page
        for section in ruledoc.sections(rule):
            if section.name != ruledoc.WHAT:
                assert f"**{section.name}" in page
            last = section.text.splitlines()[-1]  # as written, or with its label in bold
            assert last in page or last in page.replace("**", ""), f"{rule.code} {section.name} missing"


def test_table_marks_fixable_rules() -> None:
    table = runner.invoke(app, ["rules"]).stdout.splitlines()
    fixable = {line.split()[0] for line in table if " fix " in line}
    assert fixable == {r.code for r in all_rules() if r.fixable} and {"LC101", "LC102", "LC104"} <= fixable
    assert runner.invoke(app, ["rules", "--format", "html"]).exit_code == 2


def test_explain_shows_what_why_and_examples() -> None:
    out = runner.invoke(app, ["explain", "lc102"]).stdout
    assert out.startswith("LC102 (renamed-key), default severity: error, formats: llamafactory;")
    assert "`lorachecks fix` can fix it" in out
    assert "Why it matters" in out and "Example, bad:" in out and "Good:" in out


# The kohya / lora-scripts cross-field checks (LC31x-LC33x) document their trainer checks in
# their own words, kept by the helper that owns those rules; LLaMA-Factory's (LC340-LC369)
# follow the sections like every other rule.
CROSS_FIELD = range(300, 340)


def test_every_rule_has_a_summary_why_it_matters_and_an_example_in_order() -> None:
    for rule in all_rules():
        found = [section.name for section in ruledoc.sections(rule)]
        assert rule.summary and rule.summary != rule.name, f"{rule.code} has no summary line"
        assert "Why it matters" in found and "Example" in found, f"{rule.code}: sections {found}"
        named = [name for name in found if name != ruledoc.WHAT]
        assert len(named) == len(set(named)), f"{rule.code} repeats a section: {found}"
        assert named == sorted(named, key=ruledoc.SECTIONS.index), f"{rule.code}: sections out of order {found}"


def test_rules_outside_the_cross_field_checks_name_the_trainer_source_and_when_it_stops() -> None:
    for rule in all_rules():
        if int(rule.code[2:]) in CROSS_FIELD:
            continue
        found = {section.name for section in ruledoc.sections(rule)}
        assert {"Trainer source", "When the trainer stops"} <= found, f"{rule.code}: sections {sorted(found)}"
        assert ("Fix safety" in found) == rule.fixable, f"{rule.code}: fix safety iff the rule offers fixes"


def test_explain_and_the_page_show_the_sections() -> None:
    out = runner.invoke(app, ["explain", "LC101"]).stdout
    page = ruledoc.markdown()
    section = page[page.index("## LC101 unknown-key") :]
    section = section[: section.index("\n## ", 1)]
    for name in ("Why it matters", "Example", "Fix safety", "Options", "Trainer source", "When the trainer stops"):
        assert f"{name}" in out
        assert f"**{name}" in section

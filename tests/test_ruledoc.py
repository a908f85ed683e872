"""Rule documentation: the table, explain, and docs/rules.md kept in step with the code."""

from __future__ import annotations

from typer.testing import CliRunner

from lorachecks import ruledoc
from lorachecks.cli import app
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
        assert ruledoc.body_of(rule).splitlines()[0] in page


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

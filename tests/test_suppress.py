"""Inline suppression comments: this line, the next line, the whole file."""

from __future__ import annotations

from lorachecks.rules.suppress import comment_start, scan
from tests.conftest import BASE, LintText, codes


def test_line_next_line_and_file_suppressions(lint_text: LintText) -> None:
    text = (
        "# lorachecks: disable-file=LC302\n"
        + BASE.replace("bf16: true\n", "")
        + "lora_rnak: 8  # lorachecks: disable=LC101\n"
        + "# lorachecks: disable-next-line=lc1\n"
        + "loraAlpha: 16\n"
        + "learning_rat: 1  # still reported\n"
    )
    result = lint_text(text)
    assert [(d.code, d.line) for d in result.diagnostics] == [("LC101", 12)]


def test_suppression_needs_the_right_code_and_line(lint_text: LintText) -> None:
    result = lint_text(BASE + "lora_rnak: 8  # lorachecks: disable=LC102\n# lorachecks: disable=LC101\nx_y_z: 1\n")
    assert codes(result) == ["LC101", "LC101"]


def test_all_and_several_codes(lint_text: LintText) -> None:
    assert codes(lint_text(BASE + "lora_rnak: 8  # lorachecks: disable=all\n")) == []
    assert codes(lint_text(BASE + "lora_rnak: 8  # lorachecks: disable (a local extension key)\n")) == []
    assert codes(lint_text(BASE + "lora_rnak: 8  # lorachecks: disabled=LC101\n")) == ["LC101"]
    assert codes(lint_text(BASE + "lora_rank: '8'  # lorachecks: disable=LC101, LC104\n")) == []


def test_hash_inside_quotes_is_not_a_comment(lint_text: LintText) -> None:
    text = BASE + "lora_rnak: 'a # lorachecks: disable=LC101'\n"
    assert codes(lint_text(text)) == ["LC101"]
    assert comment_start('key: "x # y" # real', "yaml") == 13
    assert comment_start("key: it's # real", "yaml") == 10  # an apostrophe in plain text
    assert comment_start("url: http://x#frag", "yaml") is None  # YAML needs a blank before #
    assert comment_start("key = 'C:\\x' #c", "toml") == 13


def test_toml_comments_are_scanned() -> None:
    found = scan('lr = "2e-4" # lorachecks: disable=LC104\n# lorachecks: disable-file=LC3\n', "toml")
    assert found.lines == {1: {"LC104"}} and found.file == {"LC3"}
    assert not scan('{"a": "# lorachecks: disable=LC101"}', "json")  # JSON has no comments

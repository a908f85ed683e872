"""Loaders reproduce each trainer's reading of the file, with positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lorachecks.loader import Position, load_text, read_text


def yaml(text: str, dialect: str = "omegaconf"):  # type: ignore[no-untyped-def]
    return load_text(Path("c.yaml"), text, "yaml", dialect)


def test_omegaconf_reads_bare_exponent_as_float() -> None:
    assert yaml("lr: 1e-4\nb: 2e5\n").data == {"lr": 1e-4, "b": 2e5}


def test_pyyaml_reads_bare_exponent_as_string() -> None:
    assert yaml("lr: 1e-4\nok: 1.0e-4\n", "pyyaml").data == {"lr": "1e-4", "ok": 1e-4}


def test_yaml11_booleans_and_no_timestamps_in_omegaconf() -> None:
    data = yaml("packing: no\nflag: on\nday: 2024-01-01\n").data
    assert data == {"packing": False, "flag": True, "day": "2024-01-01"}


def test_duplicate_key_is_a_problem_in_both_dialects() -> None:
    for dialect in ("omegaconf", "pyyaml"):
        doc = yaml("a: 1\nb: 2\na: 3\n", dialect)
        assert [p.code for p in doc.problems] == ["LC002"]
        assert doc.problems[0].position == Position(3, 1)
        assert doc.data["a"] == 3


def test_key_and_value_positions_and_quote_styles() -> None:
    doc = yaml('x: 1\nnested:\n  inner: "2"\n')
    assert doc.key_positions[("nested", "inner")] == Position(3, 3)
    assert doc.value_positions[("nested", "inner")] == Position(3, 10)
    assert doc.scalar_styles[("nested", "inner")] == '"'
    assert doc.scalar_styles[("x",)] is None


def test_syntax_error_has_position() -> None:
    doc = yaml("a: [1, 2\nb: 3\n")
    assert not doc.ok
    assert doc.problems[0].code == "LC001"
    assert doc.problems[0].position.line == 2


def test_merge_keys_are_resolved() -> None:
    assert yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n").data["other"] == {"x": 1, "y": 2}


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    doc = yaml("\n".join(lines) + "\n")
    assert [p.code for p in doc.problems] == ["LC005"]


def test_json_semantics_with_positions() -> None:
    doc = load_text(Path("c.json"), '{\n  "lr": 1e-4,\n  "lr": 2e-4\n}', "json", "json")
    assert doc.data == {"lr": 2e-4}
    assert [p.code for p in doc.problems] == ["LC002"]
    assert doc.key_positions[("lr",)].line in (2, 3)


def test_json_syntax_error_position() -> None:
    # Where Python's json places the error (the closing brace up to 3.12, the comma from 3.13).
    text = '{\n  "a": 1,\n}'
    doc = load_text(Path("c.json"), text, "json", "json")
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)
    where = doc.problems[0].position
    assert doc.problems[0].code == "LC001" and (where.line, where.column) == (raised.value.lineno, raised.value.colno)


def test_read_text_handles_bom_binary_and_bad_utf8(tmp_path: Path) -> None:
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin.yaml").write_bytes(b"a: caf\xe9\n")
    assert read_text(tmp_path / "bom.yaml", 1000) == ("a: 1\n", None)
    assert read_text(tmp_path / "bin.yaml", 1000)[1].code == "LC004"  # type: ignore[union-attr]
    assert read_text(tmp_path / "latin.yaml", 1000)[1].code == "LC004"  # type: ignore[union-attr]
    assert read_text(tmp_path / "latin.yaml", 3)[1].code == "LC005"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("stage: sft\n".encode("utf-16"), "UTF-16"),  # with its BOM, as Windows Notepad saves "Unicode"
        ("stage: sft\n".encode("utf-16-le"), "UTF-16"),  # no BOM: a NUL beside every ASCII byte
        ("stage: sft\n".encode("utf-16-be"), "UTF-16"),
        ("stage: sft\n".encode("utf-32"), "UTF-32"),
        (b"\x00" * 64, None),  # all NUL: nothing says it is text
        (b"\x00\x01\x02\xff" * 50, None),
    ],
)
def test_wide_unicode_text_is_named(tmp_path: Path, raw: bytes, named: str | None) -> None:
    """The trainers read configs as UTF-8, so UTF-16 text stops them as binary does (LC004);
    the message says what the file is and how to save it."""
    (tmp_path / "x.yaml").write_bytes(raw)
    problem = read_text(tmp_path / "x.yaml", 10_000)[1]
    assert problem is not None and problem.code == "LC004"
    if named is None:
        assert problem.message == "binary file (NUL bytes), not a config"
    else:
        assert problem.message == f"{named} text, not UTF-8: the trainers read config files as UTF-8"
        assert problem.hint is not None and "UTF-8" in problem.hint

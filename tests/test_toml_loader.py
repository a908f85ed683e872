"""The TOML loader: tomllib's values, our positions, kohya's flattening."""

from __future__ import annotations

from pathlib import Path

from lorachecks.core.diagnostics import Severity
from lorachecks.loader import Position
from lorachecks.loader.toml_loader import load_toml

TEXT = """\
# comment
[model]
v2 = false
name = "a" # trailing
args = [ "a=1",
  "b=2", # inside
]
[[datasets]]
  resolution = [512, 512]
  [[datasets.subsets]]
  image_dir = 'C:\\x'
  [[datasets.subsets]]
  "quoted key".x = \"\"\"multi
line\"\"\"
[[datasets]]
  inline = { a = 1, b.c = "x" }
"""


def test_values_and_positions() -> None:
    doc = load_toml(Path("x.toml"), TEXT)
    assert doc.problems == []
    assert doc.data["datasets"][0]["subsets"][0]["image_dir"] == "C:\\x"
    assert doc.key_positions[("model", "v2")] == Position(3, 1)
    assert doc.value_positions[("model", "name")] == Position(4, 8)
    assert doc.scalar_styles[("model", "name")] == '"'
    assert doc.scalar_styles[("model", "v2")] is None
    assert doc.value_positions[("model", "args", 1)] == Position(6, 3)
    assert doc.key_positions[("datasets", 0, "subsets", 1)] == Position(12, 3)
    assert doc.key_positions[("datasets", 0, "subsets", 0, "image_dir")] == Position(11, 3)
    assert doc.key_positions[("datasets", 0, "subsets", 1, "quoted key", "x")] == Position(13, 3)
    assert doc.key_positions[("datasets", 1, "inline", "a")] == Position(16, 14)


def test_syntax_error_has_position_and_windows_hint() -> None:
    doc = load_toml(Path("x.toml"), 'a = 1\nb = "C:\\data"\n')
    assert doc.data is None
    (problem,) = doc.problems
    assert problem.code == "LC001"
    assert problem.position.line == 2
    assert problem.hint is not None and "single quotes" in problem.hint


def test_duplicate_key_is_a_syntax_error() -> None:
    doc = load_toml(Path("x.toml"), "a = 1\na = 2\n")
    assert [p.code for p in doc.problems] == ["LC001"]
    assert doc.problems[0].position.line == 2


def test_kohya_dialect_flattens_one_level_and_keeps_the_last() -> None:
    text = '[a]\nresolution = "512"\nx = 1\n[b]\nresolution = "768"\nx = 1\n[[datasets]]\nk = 1\n'
    doc = load_toml(Path("x.toml"), text, "kohya")
    assert doc.data == {"resolution": "768", "x": 1, "datasets": [{"k": 1}]}
    assert doc.key_positions[("resolution",)] == Position(5, 1)
    assert doc.key_positions[("datasets", 0, "k")] == Position(8, 1)
    severities = {p.key: p.severity for p in doc.problems}
    assert severities == {("resolution",): Severity.WARNING, ("x",): Severity.INFO}


TRICKY = """\
a = "x # not comment" # c
b = "say \\"hi\\" [x]"
c = \"\"\"multi \\\"\"\" end
still\"\"\"
d = '''lit ''
x'''
e = [[1, 2], [{y = 3}, {x = 1}], ]
f = [ { name = "a", v = -1.5e3 }, { name = "b", v = inf } ]
k = 1979-05-27 07:32:00
site . "google.com" = true
l = [
  # comment line
  "x", # trailing
  "y"
]
[ spaced . table ]
m = nan
[[ arr ]]
n = 1
"""


def _paths(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out: list[tuple[str | int, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append((*path, key))
            out += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*path, index))
    return out


def test_scanner_follows_strings_comments_and_inline_tables() -> None:
    doc = load_toml(Path("x.toml"), TRICKY)
    assert doc.problems == []
    assert doc.data["b"] == 'say "hi" [x]'
    assert [p for p in _paths(doc.data) if p not in doc.key_positions] == []
    assert doc.key_positions[("f", 1, "v")] == Position(8, 49)
    assert doc.key_positions[("site", "google.com")] == Position(10, 1)
    assert doc.value_positions[("l", 1)] == Position(14, 3)
    assert doc.key_positions[("spaced", "table", "m")] == Position(17, 1)
    assert doc.key_positions[("arr", 0, "n")] == Position(19, 1)

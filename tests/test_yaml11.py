"""lorachecks.loader.yaml11 resolves plain scalars exactly as the PyYAML loaders do."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lorachecks.loader import yaml11
from lorachecks.loader.yaml_nodes import LOADERS
from tests.conftest import LF_CORPUS, ROOT

EDGE_CASES = [
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "yes",
    "Yes",
    "YES",
    "yEs",
    "y",
    "n",
    "on",
    "Off",
    "OFF",
    "true",
    "True",
    "tRUE",
    "0",
    "-0",
    "+0",
    "00",
    "07",
    "08",
    "017",
    "0o17",
    "0x1F",
    "0X1F",
    "-0x_1",
    "0b101",
    "0b",
    "0b_",
    "0x",
    "1_000",
    "1__0",
    "_1",
    "1:30",
    "1:60",
    "190:20:30",
    "-1:30",
    "1:30.5",
    "1.",
    "1.0",
    ".5",
    "._5",
    "-.5",
    "1e4",
    "1e-4",
    "1E+4",
    "1.5e-3",
    "1.5e3",
    "1_0e5",
    ".5e-3",
    "+.inf",
    "-.Inf",
    ".INF",
    ".nan",
    ".NaN",
    "-.nan",
    "inf",
    "nan",
    "1e",
    "e5",
    "2024-01-02",
    "2024-1-2 3:04:05",
    "2001-12-14t21:59:43.10-05:00",
    "2024-02-30",
    "<<",
    "=",
    "==",
    "1" * 5000,
    "1.5" + "0" * 400,
    "sft",
    "qwen3",
    "Qwen/Qwen3-4B",
    "saves/x",
    "cosine",
    "1e-4x",
    "0.0001",
    "12345678901234567890",
]


def _corpus_scalars() -> set[str]:
    """Every plain value of a `key: value` line in the example and corpus configs."""
    found: set[str] = set()
    line = re.compile(r"^\s*[A-Za-z_][\w.\-]*:\s+([^'\"#\[{&*!|>\s][^#]*?)\s*(?:#.*)?$")
    for root in (ROOT / "examples", LF_CORPUS):
        for path in sorted(root.rglob("*.yaml")) if root.is_dir() else []:
            for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
                match = line.match(text)
                if match:
                    found.add(match.group(1))
    return found


def _pyyaml(loader: Any, text: str) -> tuple[str, Any] | None:
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    constructor = loader.yaml_constructors.get(tag)
    try:
        return tag, constructor(loader, yaml.ScalarNode(tag, text))
    except Exception:
        return None


REFERENCES = {"omegaconf": LOADERS["omegaconf"](""), "pyyaml": LOADERS["pyyaml"]("")}
SAFE_LOADER = yaml.SafeLoader("")


def _same(ours: tuple[str, Any], theirs: tuple[str, Any]) -> bool:
    if ours[0] != theirs[0] or type(ours[1]) is not type(theirs[1]):
        return False
    if isinstance(ours[1], float):
        return repr(ours[1]) == repr(theirs[1]) and math.copysign(1, ours[1]) == math.copysign(1, theirs[1])
    return bool(ours[1] == theirs[1])


def check(dialect: str, text: str) -> None:
    ours = yaml11.resolve_plain(dialect, text)
    theirs = _pyyaml(REFERENCES[dialect], text)
    assert yaml11.tag_of(dialect, text) == REFERENCES[dialect].resolve(yaml.ScalarNode, text, (True, False)), text
    if ours is None:
        # Left to PyYAML only where it builds something else or fails.
        assert theirs is None or theirs[0] in (yaml11.TIMESTAMP, yaml11.MERGE, yaml11.VALUE), (text, theirs)
    else:
        assert theirs is not None and _same(ours, theirs), (text, ours, theirs)
    if dialect == "pyyaml":  # the dialect is yaml.safe_load itself
        assert REFERENCES["pyyaml"].resolve(yaml.ScalarNode, text, (True, False)) == SAFE_LOADER.resolve(
            yaml.ScalarNode, text, (True, False)
        )


@pytest.mark.parametrize("dialect", ["omegaconf", "pyyaml"])
def test_edge_cases_and_corpus_values(dialect: str) -> None:
    scalars = _corpus_scalars()
    # The walk must find values: over 100 with ../shared/corpus beside the clone, the
    # examples' own (58 today) without it.
    assert len(scalars) > (100 if LF_CORPUS.is_dir() else 40)
    for text in [*EDGE_CASES, *sorted(scalars)]:
        check(dialect, text)


YAMLISH = st.text(alphabet="0123456789+-._:eExXbBoOaAfFinINTtYyNnlLsSuU~<= \t", max_size=14)


@settings(max_examples=3000, deadline=None)
@given(YAMLISH)
def test_generated_scalars(text: str) -> None:
    for dialect in ("omegaconf", "pyyaml"):
        check(dialect, text)

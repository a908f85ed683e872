"""Fuzzing: mutated real configs and generated files never crash the linter or a reporter.

Each example is linted twice (path checks off with the OmegaConf loader; path checks on with
the PyYAML loader of LLaMA-Factory 0.9.3), then rendered in every output format.
The properties: no exception escapes, no rule fails internally (LC000), every diagnostic
has a position, and no token-shaped secret reaches the output. Time is bounded by the
loaders' resource limits (alias bombs, huge flows and long scalars are refused before they
are built), not asserted here; ``tools/bench_hostile.py`` measures it.

The CI run is short (``LORACHECKS_FUZZ_EXAMPLES``, default 100 examples per test, well under
two minutes on one core). A longer run:

    LORACHECKS_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py -p no:randomly
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lorachecks.core.settings import Settings  # noqa: E402
from lorachecks.engine.linter import FileResult, lint_file  # noqa: E402
from lorachecks.report import OUTPUT_FORMATS, Run, renderer  # noqa: E402
from tests.conftest import CORPUS, LF_CORPUS, ROOT  # noqa: E402

EXAMPLES = int(os.environ.get("LORACHECKS_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
)
HAS_TOML = importlib.util.find_spec("lorachecks.loader.toml_loader") is not None
TOKEN = "hf_" + "FuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzz12"


def _seed_files() -> list[Path]:
    roots = [CORPUS] if CORPUS.is_dir() else [ROOT / "examples"]
    suffixes = {".yaml", ".yml", ".json"} | ({".toml"} if HAS_TOML else set())
    files = sorted(p for root in roots for p in root.rglob("*") if p.suffix in suffixes and p.is_file())
    return [p for p in files if p.stat().st_size < 64 * 1024]


SEEDS = _seed_files()
SEED_TEXT = {p: p.read_text(encoding="utf-8", errors="replace") for p in SEEDS}
LAUNCH = LF_CORPUS if LF_CORPUS.is_dir() else ROOT / "examples" / "llamafactory"

# Values that have broken YAML-based tools before: odd types, tags, anchors, huge or special numbers.
WEIRD_VALUES = [
    "",
    "null",
    "~",
    "[]",
    "{}",
    "[1, [2, {a: b}]]",
    "{x: [1, 2], y: {z: null}}",
    "1e309",
    "-.inf",
    ".nan",
    "-1",
    "0",
    "0x1F",
    "0o17",
    "1_000",
    "12:30:45",
    "2024-02-30",
    "2024-01-01T00:00:00Z",
    "yes",
    "off",
    "'quoted'",
    '"\\x00nul"',
    '"\\u202e reversed"',
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object/apply:os.system [echo]",
    "!custom tag",
    "&anchor 1",
    "*anchor",
    "<<: {a: 1}",
    "${oc.env:HOME}",
    "/home/alice/models/x",
    "C:\\Users\\bob\\x",
    "./" + "a" * 300,
    "9" * 5000,
    "x" * 1000,
    TOKEN,
    "saves/a.bin",
    "|\n  block\n  text",
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    results: list[FileResult] = []
    for path_checks, release in ((False, "latest"), (True, "0.9.3")):  # 0.9.3: the PyYAML loader
        result = lint_file(path, Settings(path_checks=path_checks, launch_dir=LAUNCH, llamafactory_version=release))
        internal = [d for d in result.diagnostics if d.code == "LC000"]
        assert not internal, internal[0].message
        assert all(d.line >= 1 and d.column >= 1 for d in result.diagnostics)
        results.append(result)
    for name in OUTPUT_FORMATS:
        out = io.StringIO()
        renderer(name)(Run(files=results, verbose=True), out)
        assert TOKEN not in out.getvalue()


def _mutate_lines(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        index = data.draw(st.integers(0, len(lines) - 1), label="line")
        op = data.draw(st.sampled_from(["delete", "duplicate", "retype", "bytes", "indent", "truncate"]), label="op")
        line = lines[index]
        if op == "delete" and len(lines) > 1:
            del lines[index]
        elif op == "duplicate":
            lines.insert(index, line)
        elif op == "retype":
            head, sep, _ = line.partition(":") if ":" in line else line.partition("=")
            value = data.draw(st.sampled_from(WEIRD_VALUES) | st.text(max_size=30), label="value")
            lines[index] = f"{head}{sep or ':'} {value}\n"
        elif op == "bytes":
            at = data.draw(st.integers(0, len(line)), label="at")
            noise = data.draw(st.text(alphabet=string.printable + "\x00\x1b\ufeff\u2028[]{}&*!|>%@`", max_size=8))
            lines[index] = line[:at] + noise + line[at:]
        elif op == "indent":
            lines[index] = data.draw(st.sampled_from(["  ", "\t", "- ", "? "]), label="prefix") + line
        else:
            return "".join(lines[:index]) + line[: data.draw(st.integers(0, len(line)), label="cut")]
    return "".join(lines)


@pytest.mark.skipif(not SEEDS, reason="no seed configs")
@FUZZ
@given(data=st.data())
def test_mutated_corpus_text(workdir: Path, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS), label="seed")
    mutated = _mutate_lines(SEED_TEXT[seed], data)
    _check(workdir / f"mutated{seed.suffix}", mutated.encode("utf-8", "surrogatepass"))


@pytest.mark.skipif(not SEEDS, reason="no seed configs")
@FUZZ
@given(data=st.data())
def test_mutated_corpus_bytes(workdir: Path, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS), label="seed")
    raw = bytearray(SEED_TEXT[seed].encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(raw)), label="at")
        if data.draw(st.booleans(), label="truncate"):
            del raw[at:]
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=16), label="bytes")
    _check(workdir / f"bytes{seed.suffix}", bytes(raw))


SEED_DATA: dict[Path, dict[str, Any]] = {}
for _path in SEEDS:
    if _path.suffix in {".yaml", ".yml"}:
        try:
            _loaded = yaml.safe_load(SEED_TEXT[_path])
        except yaml.YAMLError:
            continue
        if isinstance(_loaded, dict) and _loaded:
            SEED_DATA[_path] = _loaded

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["Qwen/Qwen3-4B", "lora", "sft", "all", "q_proj,v_proj", "saves/x", TOKEN, "/home/bob/m"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.skipif(not SEED_DATA, reason="no YAML seed configs")
@FUZZ
@given(data=st.data())
def test_retyped_keys(workdir: Path, data: st.DataObject) -> None:
    """Delete, duplicate, rename and retype keys of a real config, then write it back."""
    seed = data.draw(st.sampled_from(sorted(SEED_DATA)), label="seed")
    config = dict(SEED_DATA[seed])
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        key = data.draw(st.sampled_from(sorted(config, key=str)), label="key") if config else "x"
        op = data.draw(st.sampled_from(["delete", "retype", "rename", "add"]), label="op")
        if op == "delete":
            config.pop(key, None)
        elif op == "retype":
            config[key] = data.draw(values, label="value")
        elif op == "rename":
            config[str(key).upper() if data.draw(st.booleans()) else f"{key}_"] = config.pop(key, None)
        else:
            config[data.draw(st.text(min_size=1, max_size=20), label="new key")] = data.draw(values)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if data.draw(st.booleans(), label="duplicate a key") and config:
        text += text.splitlines(keepends=True)[0]
    _check(workdir / "retyped.yaml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(doc=st.dictionaries(st.text(max_size=20), values, max_size=12), as_json=st.booleans())
def test_generated_documents(workdir: Path, doc: dict[str, Any], as_json: bool) -> None:
    shared = [1, 2]
    doc.setdefault("alias_a", shared)
    doc.setdefault("alias_b", shared)  # safe_dump writes an anchor and an alias
    if as_json:
        text = json.dumps(doc, allow_nan=True)
        _check(workdir / "generated.json", text.encode("utf-8", "surrogatepass"))
    else:
        text = yaml.safe_dump(doc, allow_unicode=True)
        _check(workdir / "generated.yaml", text.encode("utf-8", "surrogatepass"))


toml_keys = st.sampled_from(
    ["pretrained_model_name_or_path", "network_dim", "learning_rate", "output_dir", "train_data_dir", "wandb_api_key"]
) | st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)
toml_values = st.sampled_from(
    [
        '"x"',
        "1",
        "1.5e-4",
        "true",
        "[1, 2]",
        '"C:\\\\Users\\\\a"',
        '"C:\\x"',
        "{ a = 1 }",
        "1979-05-27",
        '"""multi"""',
        "nan",
        f'"{TOKEN}"',
        "9" * 5000,
    ]
) | st.text(max_size=10)


@pytest.mark.skipif(not HAS_TOML, reason="TOML loader not present in this tree")
@FUZZ
@given(
    items=st.lists(st.tuples(toml_keys, toml_values), max_size=12),
    table=st.sampled_from(["", "[general]\n", "[[datasets]]\n"]),
)
def test_generated_toml(workdir: Path, items: list[tuple[str, str]], table: str) -> None:
    text = table + "".join(f"{k} = {v}\n" for k, v in items)
    _check(workdir / "generated.toml", text.encode("utf-8", "surrogatepass"))

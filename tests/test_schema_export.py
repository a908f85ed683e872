"""`lorachecks schema`: committed, fresh, valid draft 2020-12, and agreeing with the real check-jsonschema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.cli.schema_export import DIALECT, file_name, json_schema, render, schema_formats
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_paths
from tests.conftest import ROOT, accepted_corpus_files, needs_corpus

SCHEMAS = ROOT / "schemas"
VALID = ROOT / "examples" / "llamafactory" / "valid_qwen3_lora_sft.yaml"
runner = CliRunner()


def check_jsonschema(schema: Path, *files: Path, meta: bool = False) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("check_jsonschema")
    args = ["--check-metaschema"] if meta else ["--schemafile", str(schema)]
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *args, *map(str, [schema] if meta else files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_schemas_are_fresh() -> None:
    expected = {file_name(f): render(json_schema(f)) for f in schema_formats()}
    assert expected, "no format has a schema"
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    stale = sorted(n for n in expected.keys() | committed.keys() if expected.get(n) != committed.get(n))
    assert not stale, f"schemas/ is stale ({', '.join(stale)}): run `lorachecks schema -o schemas`"


@pytest.mark.parametrize("fmt", schema_formats(), ids=lambda f: f.name)
def test_schema_is_valid_draft_2020_12(fmt: object) -> None:
    path = SCHEMAS / file_name(fmt)  # type: ignore[arg-type]
    schema = json.loads(path.read_text())
    assert schema["$schema"] == DIALECT
    proc = check_jsonschema(path, meta=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    model = fmt.schema  # type: ignore[attr-defined]
    if model.model_config.get("extra") == "forbid":
        assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name


def test_llamafactory_schema_carries_defaults_enums_and_deprecations() -> None:
    props = json.loads((SCHEMAS / "llamafactory.schema.json").read_text())["properties"]
    assert props["lora_rank"]["default"] == 8 and props["lora_rank"]["type"] == "integer"
    assert props["lora_rank"]["minimum"] == 1
    assert "cosine" in props["lr_scheduler_type"]["enum"]
    assert set(props["stage"]["enum"]) == {"pt", "sft", "rm", "ppo", "dpo", "kto"}
    assert "LoraArguments" in props["lora_rank"]["description"]
    # Keys removed only in transformers 5 still work with 4.x: allowed but deprecated; fatal ones are gone.
    assert props["no_cuda"]["deprecated"] is True
    assert "evaluation_strategy" not in props


def test_cli_prints_and_writes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--format", "llamafactory"])
    assert result.exit_code == 0
    assert result.stdout == (SCHEMAS / "llamafactory.schema.json").read_text()
    result = runner.invoke(app, ["schema", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert runner.invoke(app, ["schema", "--format", "nope"]).exit_code == 2
    assert runner.invoke(app, ["schema", "--format", "deepspeed"]).exit_code == 2  # recognised, no schema


@needs_corpus
@pytest.mark.parametrize("fmt", schema_formats(), ids=lambda f: f.name)
def test_corpus_configs_pass_the_exported_schema(fmt: object) -> None:
    files = accepted_corpus_files().get(fmt.name, [])  # type: ignore[attr-defined]
    if fmt.name == "llamafactory":  # type: ignore[attr-defined]
        assert len(files) >= 60
    if not files:
        pytest.skip(f"no corpus configs for {fmt.name}")  # type: ignore[attr-defined]
    proc = check_jsonschema(SCHEMAS / file_name(fmt), *files)  # type: ignore[arg-type]
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("lora_rnak: 8", "'lora_rnak' was unexpected"),
        ("lr_scheduler_type: cosin", "'cosin' is not one of"),
        ("lora_rank: '8'", "'8' is not of type 'integer'"),
        ("lora_rank: 0", "0 is less than the minimum of 1"),
    ],
)
def test_schema_rejects_what_lint_rejects(tmp_path: Path, line: str, why: str) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID.read_text())
    bad = tmp_path / "bad.yaml"
    key = line.split(":")[0]
    lines = [ln for ln in VALID.read_text().splitlines() if not ln.startswith(f"{key}:")]
    bad.write_text("\n".join([*lines, line]) + "\n")
    schema = SCHEMAS / "llamafactory.schema.json"
    assert check_jsonschema(schema, good).returncode == 0
    proc = check_jsonschema(schema, bad)
    assert proc.returncode == 1
    assert why in proc.stdout
    lint = list(lint_paths([bad], Settings(path_checks=False, launch_dir=tmp_path)))
    assert any(d.severity.value == "error" for d in lint[0].diagnostics)

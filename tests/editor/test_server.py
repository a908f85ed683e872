"""`lorachecks server` driven by a real LSP client over stdio, as an editor drives it: open,
change, diagnostics, hover, completion, code actions, shutdown."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file
from lorachecks.formats.descriptions import description
from tests.conftest import ROOT
from tests.editor.lsp_client import Json, LspClient, message_text

EXAMPLES = ROOT / "examples"
SERVER = [sys.executable, "-m", "lorachecks", "server"]


@pytest.fixture(scope="module")
def client() -> Iterator[LspClient]:
    os.environ.setdefault("PYTHONPATH", str(ROOT))  # this checkout, whatever is installed
    lsp = LspClient(SERVER, ROOT)  # the repository is the workspace: paths resolve from it
    yield lsp
    assert lsp.close() == 0


def codes_and_lines(found: list[Json]) -> list[tuple[str, int]]:
    return sorted((d["code"], d["range"]["start"]["line"] + 1) for d in found)


def line_of(text: str, start: str) -> int:
    return next(i for i, row in enumerate(text.splitlines()) if row.startswith(start))


@pytest.mark.parametrize(
    "example",
    [
        "llamafactory/broken_conflicts.yaml",
        "llamafactory/broken_typos_and_types.yaml",
        "lora-scripts/broken_seed.yaml",
        "kohya/broken_training.toml",
        "kohya/broken_dataset.toml",
        "llamafactory/valid_qwen3_lora_sft.yaml",
    ],
)
def test_diagnostics_are_the_command_lines(client: LspClient, example: str) -> None:
    """Every rule reaches the editor (cross-field, paths, loader types), where lint puts it."""
    path = EXAMPLES / example
    text = path.read_text(encoding="utf-8")
    found = client.wait_diagnostics(client.open(path, text, "toml" if path.suffix == ".toml" else "yaml"))
    expected = lint_file(path, Settings(launch_dir=ROOT)).diagnostics
    assert codes_and_lines(found) == sorted((d.code, d.line) for d in expected)
    assert all(d["source"] == "lorachecks" for d in found)
    if example == "llamafactory/broken_conflicts.yaml":
        assert len({d["range"]["start"]["line"] for d in found}) >= 5  # the issue saw 0 of 5 in editors


def test_diagnostics_follow_the_unsaved_buffer(client: LspClient, tmp_path: Path) -> None:
    path = EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml"
    saved = path.read_text(encoding="utf-8")
    uri = client.open(path, saved, "yaml")
    assert client.wait_diagnostics(uri) == []
    edited = saved.replace("lora_rank: 8", "lora_rnak: 8")
    started = time.monotonic()
    client.change(uri, edited, 2)
    [found] = client.wait_diagnostics(uri, until=bool)
    assert time.monotonic() - started < 5
    assert (found["code"], found["range"]["start"]["line"]) == ("LC101", line_of(saved, "lora_rank"))
    assert found["range"]["end"]["character"] == len("lora_rnak")
    assert path.read_text(encoding="utf-8") == saved  # the server never writes the file
    client.change(uri, saved, 3)
    assert client.wait_diagnostics(uri) == []


def test_yaml_types_as_the_trainer_reads_them(client: LspClient) -> None:
    """lora-scripts reads YAML with PyYAML: `2e-4` is text there, and the editor says so."""
    path = EXAMPLES / "lora-scripts" / "broken_seed.yaml"
    found = client.wait_diagnostics(client.open(path, path.read_text(encoding="utf-8"), "yaml"))
    assert any(d["code"] == "LC104" and "2e-4" in d["message"] for d in found)


def test_hover_says_what_the_option_does(client: LspClient) -> None:
    path = EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, text, "yaml")
    shown = message_text(client.hover(uri, line_of(text, "lora_rank"), 3))
    assert "`lora_rank`" in shown and "default: `8`" in shown and "integer" in shown
    words = description("llamafactory", "lora_rank")
    if words:
        assert words in shown
    template = message_text(client.hover(uri, line_of(text, "template"), 2))
    assert "… (" in template and len(template) < 1500  # a long list is cut, completion has it all
    assert client.hover(uri, line_of(text, "template"), 15) is None  # on the value, not the key


def test_hover_inside_kohya_tables(client: LspClient) -> None:
    path = EXAMPLES / "kohya" / "broken_training.toml"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, text, "toml")
    shown = message_text(client.hover(uri, line_of(text, "network_dim"), 2))
    assert "`network_dim`" in shown and "integer" in shown


def test_completion_of_keys_and_values(client: LspClient, tmp_path: Path) -> None:
    model = tmp_path / "tiny-llama"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "llama"}))
    path = EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml"
    text = path.read_text(encoding="utf-8").replace("lora_target: all", f"lora_target: \nmodel_name_or_path: {model}")
    text = "\n".join(row for row in text.splitlines() if not row.startswith("model_name_or_path: Qwen"))
    uri = client.open(path, text + "\n\n", "yaml")
    client.wait_diagnostics(uri)
    rows = text.splitlines()
    keys = {item["label"] for item in client.completion(uri, len(rows) + 1, 0)}
    assert {"use_dora", "deepspeed", "neftune_noise_alpha"} <= keys and "lora_rank" not in keys

    def values(start: str) -> set[str]:
        row = line_of(text, start)
        return {item["label"] for item in client.completion(uri, row, len(rows[row]))}

    assert {"qwen3", "llama3"} <= values("template")
    assert values("dataset:") >= {"demo_sft", "demo_dpo"}  # from the dataset_info.json it would read
    assert values("lora_target") >= {"all", "q_proj", "down_proj"}  # from the model's config.json
    assert values("finetuning_type") >= {"lora", "full", "freeze"}


def test_completion_follows_the_trainer_release(client: LspClient) -> None:
    path = EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml"
    text = path.read_text(encoding="utf-8") + "\n"
    rows = len(text.splitlines())
    uri = client.open(path, text, "yaml")
    client.wait_diagnostics(uri)
    assert "oft_rank" in {item["label"] for item in client.completion(uri, rows, 0)}  # since 0.9.4
    client.notify("workspace/didChangeConfiguration", {"settings": {"lorachecks": {"llamafactoryVersion": "0.9.3"}}})
    client.wait_diagnostics(uri)
    try:
        assert "oft_rank" not in {item["label"] for item in client.completion(uri, rows, 0)}
    finally:
        client.notify("workspace/didChangeConfiguration", {"settings": {"lorachecks": {}}})


def test_code_actions_fix_and_suppress(client: LspClient) -> None:
    path = EXAMPLES / "llamafactory" / "broken_typos_and_types.yaml"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, text, "yaml")
    found = client.wait_diagnostics(uri)
    typo = next(d for d in found if d["code"] == "LC101" and "lora_rnak" in d["message"])
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": typo["range"], "context": {"diagnostics": [typo]}},
    )
    titles = [a["title"] for a in actions]
    fix = next(a for a in actions if a.get("isPreferred"))
    [edit] = fix["edit"]["changes"][uri]
    assert edit["newText"] == "lora_rank" and edit["range"]["start"]["line"] == typo["range"]["start"]["line"]
    assert "Disable LC101 for this line" in titles
    disable = next(a for a in actions if a["title"] == "Disable LC101 for this line")
    [comment] = disable["edit"]["changes"][uri]
    assert "lorachecks: disable" in comment["newText"] and "LC101" in comment["newText"]
    fix_all = next(a for a in actions if a["kind"] == "source.fixAll")
    fixed = fix_all["edit"]["changes"][uri][0]["newText"]
    assert "lora_rank: 8" in fixed and "lora_rnak" not in fixed


def test_hostile_buffers_never_kill_the_server(client: LspClient, tmp_path: Path) -> None:
    hostile = {
        "nul.yaml": "a: \x00\x01\n",
        "deep.yaml": "[" * 50_000,
        "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "surrogate.toml": 'network_dim = "\ud800"\n',
        "garbage.json": "{" + '"k":' * 10_000,
    }
    for name, text in hostile.items():
        uri = client.open(tmp_path / name, text, name.rsplit(".", 1)[1])
        found = client.wait_diagnostics(uri, timeout=60)
        assert all("Traceback" not in d["message"] for d in found), name
        client.hover(uri, 0, 1)
        client.completion(uri, 0, 1)
    assert client.process.poll() is None

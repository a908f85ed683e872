"""The exported JSON Schemas, checked by the editors' own language servers (yaml-language-server
for YAML, Taplo for TOML) over stdio, as VS Code, Neovim or Helix run them: a schema that checks
nothing in the files people write fails here."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lorachecks.formats.descriptions import description
from tests.conftest import CORPUS, ROOT, accepted_corpus_files
from tests.editor.lsp_client import Json, LspClient, message_text

SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"
SETTLE = 0.5  # servers publish in stages (syntax, then schema): wait for the last one


def settled(client: LspClient, uri: str) -> list[Json]:
    client.wait_diagnostics(uri)
    time.sleep(SETTLE)
    return client.diagnostics[uri]


def problems(found: list[Json]) -> list[tuple[int, str]]:
    """(1-based line, message) of each diagnostic, sorted."""
    return sorted((d["range"]["start"]["line"] + 1, d["message"]) for d in found)


@pytest.fixture(scope="module")
def yaml_server(yaml_server_command: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspClient]:
    root = tmp_path_factory.mktemp("yaml-workspace")
    schemas = {
        (SCHEMAS / "llamafactory.schema.json").as_uri(): ["lf/**/*.yaml"],
        (SCHEMAS / "lora-scripts.schema.json").as_uri(): ["ls/**/*.yaml"],
    }
    settings = {"yaml": {"validate": True, "hover": True, "completion": True, "schemas": schemas}}
    client = LspClient(yaml_server_command, root, settings=settings)
    client.root = root  # type: ignore[attr-defined]
    yield client
    assert client.close() == 0


@pytest.fixture(scope="module")
def taplo(taplo_command: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspClient]:
    root = tmp_path_factory.mktemp("toml-workspace")
    (root / ".taplo.toml").write_text(
        "[[rule]]\n"
        'include = ["**/*dataset*.toml"]\n'
        f'schema.path = "{(SCHEMAS / "kohya-dataset.schema.json").as_uri()}"\n'
        "[[rule]]\n"
        'include = ["**/*.toml"]\n'
        'exclude = ["**/*dataset*.toml"]\n'
        f'schema.path = "{(SCHEMAS / "kohya.schema.json").as_uri()}"\n'
    )
    client = LspClient(taplo_command, root, settings={"evenBetterToml": {"schema": {"enabled": True}}})
    client.root = root  # type: ignore[attr-defined]
    yield client
    client.close()


def open_copy(client: LspClient, source: Path, folder: str, language: str, name: str | None = None) -> str:
    target = client.root / folder / (name or source.name)  # type: ignore[attr-defined]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return client.open(target, source.read_text(encoding="utf-8"), language)


def test_yaml_server_reports_the_llamafactory_schema_problems(yaml_server: LspClient) -> None:
    uri = open_copy(yaml_server, EXAMPLES / "llamafactory" / "broken_typos_and_types.yaml", "lf", "yaml")
    found = problems(settled(yaml_server, uri))
    lines = [line for line, _ in found]
    # lora_rnak, loraAlpha, quoted dropout, template, evaluation_strategy, scheduler, lr, batch size
    assert lines == [6, 7, 8, 11, 13, 14, 15, 16], found
    template = next(message for line, message in found if line == 11)
    assert len(template) < 100 and "template" in template  # not a list of 120 names


def test_yaml_server_reports_lora_scripts_unknown_keys(yaml_server: LspClient) -> None:
    uri = open_copy(yaml_server, EXAMPLES / "lora-scripts" / "broken_schema.yaml", "ls", "yaml")
    found = problems(settled(yaml_server, uri))
    assert any(line == 6 and "lora_rnak" in message for line, message in found), found
    assert any(line == 7 for line, _ in found) and any(line == 8 for line, _ in found), found


def test_yaml_server_hover_and_completion(yaml_server: LspClient) -> None:
    uri = open_copy(yaml_server, EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml", "lf", "yaml", "hover.yaml")
    assert settled(yaml_server, uri) == []
    text = (EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml").read_text().splitlines()
    line = next(i for i, row in enumerate(text) if row.startswith("lora_rank:"))
    hover = message_text(yaml_server.hover(uri, line, 2))
    assert "Default: 8" in hover
    words = description("llamafactory", "lora_rank")
    if words:
        assert words in hover
    labels = {item["label"] for item in yaml_server.completion(uri, len(text), 0)}
    present = {row.split(":")[0] for row in text}
    assert {"use_dora", "pissa_init", "deepspeed", "neftune_noise_alpha"} - present <= labels
    assert not present & labels  # keys already written are not offered again


def test_taplo_checks_keys_inside_tables(taplo: LspClient) -> None:
    uri = open_copy(taplo, EXAMPLES / "kohya" / "broken_training.toml", "kohya", "toml")
    found = problems(settled(taplo, uri))
    assert found == [(15, '"16" is not of type "integer"')]
    text = (EXAMPLES / "kohya" / "broken_training.toml").read_text().splitlines()
    line = next(i for i, row in enumerate(text) if row.startswith("network_dim"))
    hover = message_text(taplo.hover(uri, line, 3))
    assert "network_dim" in hover or (description("kohya", "network_dim") or "\0") in hover
    labels = {item["label"] for item in taplo.completion(uri, line, 4)}
    assert {"network_dim", "network_alpha"} <= labels


def test_taplo_checks_the_dataset_levels(taplo: LspClient) -> None:
    uri = open_copy(taplo, EXAMPLES / "kohya" / "broken_dataset.toml", "kohya", "toml")
    messages = " ".join(message for _, message in problems(settled(taplo, uri)))
    assert "'learning_rate' was unexpected" in messages  # a training option in [general]
    assert "'num_repeat' was unexpected" in messages  # a typo inside [[datasets.subsets]]


def test_taplo_valid_examples_are_clean(taplo: LspClient) -> None:
    for name in ("valid_sd15_lora.toml", "valid_dataset.toml"):
        uri = open_copy(taplo, EXAMPLES / "kohya" / name, "kohya", "toml")
        assert settled(taplo, uri) == [], name


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")
def test_official_corpus_has_no_schema_diagnostics(yaml_server: LspClient, taplo: LspClient) -> None:
    """Official examples are valid: neither editor server may flag anything in them."""
    flagged: dict[str, list[tuple[int, str]]] = {}
    accepted = accepted_corpus_files()
    lf = [p for p in accepted.get("llamafactory", []) if p.suffix == ".yaml"]
    kohya = accepted.get("kohya", []) + accepted.get("kohya-dataset", [])
    assert len(lf) >= 60 and len(kohya) >= 10
    for i, path in enumerate(lf):
        uri = open_copy(yaml_server, path, f"lf/corpus/{i}", "yaml")
        found = problems(settled(yaml_server, uri))
        if found:
            flagged[str(path)] = found
    for i, path in enumerate(kohya):
        uri = open_copy(taplo, path, f"kohya/corpus/{i}", "toml")
        found = problems(settled(taplo, uri))
        if found:
            flagged[str(path)] = found
    assert flagged == {}

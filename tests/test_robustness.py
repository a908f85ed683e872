"""Hostile and broken input: every file ends in a diagnostic or a skip, never a traceback."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import FileResult, lint_file, lint_paths
from lorachecks.loader.json_loader import load_json
from lorachecks.loader.limits import LimitExceeded, Limits, check_text, check_tree
from lorachecks.loader.yaml_loader import load_yaml
from lorachecks.report import OUTPUT_FORMATS, Run, renderer
from tests.conftest import BASE

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def _lint(tmp_path: Path, name: str, content: bytes | str, **options: object) -> FileResult:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    options.setdefault("path_checks", False)
    return lint_file(path, Settings(**options))  # type: ignore[arg-type]


def _only(result: FileResult) -> tuple[str, str]:
    assert len(result.diagnostics) == 1, result.diagnostics
    return result.diagnostics[0].code, result.diagnostics[0].message


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("empty.yaml", b"", None, "empty"),
        ("comments.yaml", b"# nothing\n", None, "empty"),
        ("binary.yaml", b"\x00\x01\x02\xff" * 50, "LC004", "binary"),
        ("latin1.yaml", "lora_rank: 8 # réglé\n".encode("latin-1"), "LC004", "UTF-8"),
        ("utf16.yaml", "lora_rank: 8\n".encode("utf-16"), "LC004", ""),
        ("list.yaml", b"- a\n- b\n", None, "list"),
        ("scalar.yaml", b"just text\n", None, "str"),
        ("deep.yaml", b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n", "LC005", "nesting"),
        ("deep_block.yaml", "".join(f"{' ' * i}k{i}:\n" for i in range(300)).encode(), "LC005", "nesting"),
        ("deep.json", b'{"x": ' + b"[" * 100000 + b"]" * 100000 + b"}", "LC005", "nesting"),
        ("bomb.yaml", BILLION_LAUGHS.encode(), "LC005", "billion laughs"),
        ("recursive.yaml", b"x: &a [1, *a]\n", "LC005", "contains it"),
        ("flow.yaml", b"x: [" + b"1," * 300_000 + b"1]\n", "LC005", "list items"),
        ("flow_nodes.yaml", b"x: [" + b"[1,[2]]," * 15_000 + b"1]\n", "LC005", "20,000 YAML values"),
        ("long.yaml", b"model_name_or_path: " + b"a" * 200_000 + b"\n", "LC005", "200,000 characters"),
        ("long.json", b'{"model_name_or_path": "' + b"a" * 200_000 + b'"}', "LC005", "200,000 characters"),
        ("bigint.yaml", b"lora_rank: " + b"9" * 5000 + b"\n", "LC001", "cannot be read"),
        ("bigint.json", b'{"lora_rank": ' + b"9" * 5000 + b"}", "LC001", "JSON value cannot be read"),
        ("baddate.yaml", b"when: 2024-02-30\n", None, "not recognised"),
        ("bigint.toml", b"network_dim = " + b"9" * 5000 + b"\n", "LC001", "cannot be read"),
        ("deep.toml", b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "LC005", "nesting"),
        ("long.toml", b'pretrained_model_name_or_path = "' + b"a" * 200_000 + b'"\n', "LC005", "200,000 characters"),
        ("flow.toml", b"x = [" + b"1," * 60_000 + b"1]\n", "LC005", "list items"),
        ("binary.toml", b"\x00" * 64, "LC004", "binary"),
        ("tabs.yaml", b"a:\n\tb: 1\n", "LC001", "syntax"),
        ("two_docs.yaml", b"a: 1\n---\nb: 2\n", "LC001", "single document"),
        ("undefined_alias.yaml", b"a: *nope\n", "LC001", "undefined alias"),
    ],
)
def test_hostile_file(tmp_path: Path, name: str, content: bytes, code: str | None, words: str) -> None:
    result = _lint(tmp_path, name, content)
    if code is None:
        assert result.status == "skipped" and words in result.reason
        return
    got, message = _only(result)
    assert (got, result.status) == (code, "failed") and words in message


def test_bom_is_tolerated(tmp_path: Path) -> None:
    result = _lint(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + BASE.encode())
    assert result.status == "checked" and not [d for d in result.diagnostics if d.severity.value == "error"]


def test_pyyaml_dialect_reports_an_impossible_date(tmp_path: Path) -> None:
    result = _lint(tmp_path, "date.yaml", BASE + "run_name: 2024-02-30\n", llamafactory_version="0.9.3")
    code, message = _only(result)
    assert code == "LC001" and "day is out of range" in message


def test_size_cap_is_configurable(tmp_path: Path) -> None:
    code, message = _only(_lint(tmp_path, "c.yaml", BASE, max_file_bytes=50))
    assert code == "LC005" and "larger than 50 bytes" in message
    assert _lint(tmp_path, "c.yaml", BASE, max_file_bytes=len(BASE)).status == "checked"
    runner = CliRunner()
    result = runner.invoke(app, ["lint", "--no-path-checks", "--max-file-bytes", "50", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1 and "larger than 50 bytes" in result.output


def test_huge_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"k: v\n")
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    result = lint_file(path, Settings(path_checks=False))
    code, message = _only(result)
    assert code == "LC005" and "larger than" in message
    out = io.StringIO()
    renderer("text")(Run(files=[result]), out)
    assert "LC005" in out.getvalue()


def test_limits_helpers_for_other_loaders() -> None:
    tight = Limits(max_nodes=5, max_depth=2, max_scalar_chars=4, max_lines=3)
    check_tree({"a": [1, 2]}, tight)
    for data, words in [({"a": list(range(9))}, "values"), ({"a": {"b": {"c": 1}}}, "deeper"), ({"a": "xxxxx"}, "5")]:
        with pytest.raises(LimitExceeded, match=words):
            check_tree(data, tight)
    with pytest.raises(LimitExceeded, match="lines"):
        check_text("a\nb\nc,d\n", tight)
    doc = load_yaml(Path("x.yaml"), "a: [1, 2, 3]\n", limits=Limits(max_nodes=3))
    assert [p.code for p in doc.problems] == ["LC005"] and doc.data is None
    assert load_json(Path("x.json"), '{"a": [[[[1]]]]}').data == {"a": [[[[1]]]]}


def test_aliases_within_limits_still_work(tmp_path: Path) -> None:
    text = BASE + "base: &b {lora_rank: 8}\n"
    doc = load_yaml(Path("x.yaml"), "a: &a {x: 1}\nb: *a\nc:\n  <<: *a\n  y: 2\n")
    assert doc.data == {"a": {"x": 1}, "b": {"x": 1}, "c": {"x": 1, "y": 2}}
    assert _lint(tmp_path, "ok.yaml", text).status == "checked"


def test_directory_named_like_a_config_and_folder_problems(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "dir.yaml" / "inner.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path / "loop", tmp_path / "loop" / "again")
    os.symlink(tmp_path / "self.yaml", tmp_path / "self.yaml")
    os.symlink(tmp_path / "missing", tmp_path / "dangling.yaml")
    (tmp_path / "ok.yaml").write_text(BASE, encoding="utf-8")
    results = {str(r.path.relative_to(tmp_path)): r for r in lint_paths([tmp_path], Settings(path_checks=False))}
    assert results["ok.yaml"].status == "checked"
    assert results["dir.yaml/inner.yaml"].status == "checked"
    for name in ("self.yaml", "dangling.yaml"):
        assert results[name].status == "failed" and results[name].diagnostics[0].code == "LC004"
    explicit = lint_file(tmp_path / "dir.yaml", Settings(path_checks=False))
    assert explicit.status == "skipped" and "directory" in explicit.reason


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(BASE, encoding="utf-8")
    path.chmod(0)
    try:
        result = lint_file(path, Settings(path_checks=False))
    finally:
        path.chmod(0o600)
    code, message = _only(result)
    assert code == "LC004" and "cannot read" in message


def test_values_no_filesystem_accepts_do_not_crash_path_rules(tmp_path: Path) -> None:
    text = BASE.replace("Qwen/Qwen3-4B", "/" + "a" * 300) + 'adapter_name_or_path: "./x\\0y"\ndeepspeed: "./\\0"\n'
    result = _lint(tmp_path, "weird.yaml", text, path_checks=True, launch_dir=tmp_path)
    assert result.status == "checked"
    assert not [d for d in result.diagnostics if d.code == "LC000"]


def test_a_crash_outside_the_rules_fails_only_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lorachecks.engine.linter as linter

    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE, encoding="utf-8")
    original = linter.detect

    def flaky(doc: object) -> object:
        if str(getattr(doc, "path", "")).endswith("a.yaml"):
            raise RuntimeError("boom")
        return original(doc)  # type: ignore[arg-type]

    monkeypatch.setattr(linter, "detect", flaky)
    results = {r.path.name: r for r in lint_paths([tmp_path], Settings(path_checks=False))}
    assert results["a.yaml"].status == "failed"
    assert results["a.yaml"].diagnostics[0].code == "LC000" and "boom" in results["a.yaml"].diagnostics[0].message
    assert results["b.yaml"].status == "checked"


def test_control_characters_are_escaped_in_output(tmp_path: Path) -> None:
    result = _lint(tmp_path, "esc.yaml", BASE + '"lora_\\e[31mrank\\n::error::x": 8\n')
    for name in OUTPUT_FORMATS:
        out = io.StringIO()
        renderer(name)(Run(files=[result]), out)
        assert "\x1b" not in out.getvalue()
        assert "\n::error::" not in out.getvalue()
    assert any("\\x1b" in d.message for d in result.diagnostics)


def test_cli_exit_codes_on_hostile_trees(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    (tmp_path / "bin.json").write_bytes(b"\x00" * 10)
    runner = CliRunner()
    for fmt in OUTPUT_FORMATS:
        result = runner.invoke(app, ["lint", "--format", fmt, str(tmp_path)])
        assert (result.exit_code == 1 and result.exception is None) or isinstance(result.exception, SystemExit)
    data = json.loads(runner.invoke(app, ["lint", "--format", "json", str(tmp_path)]).output)
    assert sorted(d["code"] for d in data["diagnostics"]) == ["LC004", "LC005"]


def test_env_expansion_helper_for_trainers_that_expand() -> None:
    from lorachecks.core.paths import expand_env

    env = {"MODELS": "/srv/models", "RUN": "r1"}
    assert expand_env("${MODELS}/qwen", env) == "/srv/models/qwen"
    assert expand_env("${oc.env:MODELS}/qwen/$RUN", env) == "/srv/models/qwen/r1"
    assert expand_env("${oc.env:DATA,/tmp/data}/x", env) == "/tmp/data/x"
    assert expand_env("${oc.env:DATA}/x", env) is None
    assert expand_env("${model.path}", env) is None
    assert expand_env("plain/path", env) == "plain/path"


def test_bounded_and_fast_composers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small alias-free files use libyaml's composer; the counting one must read them identically."""
    import lorachecks.loader.yaml_nodes as yaml_nodes
    from tests.conftest import ROOT

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.yaml"))]
    texts += [BASE + "x: {a: [1, 2.5e-4, yes, null, '3']}\ny: 2024-01-01\nz: !!str 5\n", "a: 1\na: 2\n", "- [1\n"]
    for dialect in ("omegaconf", "pyyaml"):
        fast = [load_yaml(Path("x.yaml"), t, dialect) for t in texts]
        monkeypatch.setattr(yaml_nodes, "FAST_MAX_MARKS", -1)
        bounded = [load_yaml(Path("x.yaml"), t, dialect) for t in texts]
        monkeypatch.undo()
        for a, b in zip(fast, bounded, strict=True):
            assert (a.data, a.key_positions, a.value_positions, a.scalar_styles) == (
                b.data,
                b.key_positions,
                b.value_positions,
                b.scalar_styles,
            )
            assert [(p.code, p.message, p.position) for p in a.problems] == [
                (p.code, p.message, p.position) for p in b.problems
            ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_in_a_folder_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "ok.yaml").write_text(BASE, encoding="utf-8")
    results = {r.path.name: r for r in lint_paths([tmp_path], Settings(path_checks=False))}
    assert results["ok.yaml"].status == "checked"
    code, message = _only(results["pipe.yaml"])
    assert code == "LC004" and "not a regular file" in message
    for name in OUTPUT_FORMATS:  # reporters must not open the pipe for a source line either
        renderer(name)(Run(files=list(results.values())), io.StringIO())


def test_json_data_over_the_limits_is_skipped_in_folders_refused_when_named(tmp_path: Path) -> None:
    data = tmp_path / "records.json"
    data.write_text(json.dumps([{"q": i, "a": i} for i in range(20_000)]), encoding="utf-8")
    [found] = lint_paths([tmp_path], Settings(path_checks=False))
    assert found.status == "skipped" and "too large" in found.reason
    code, _ = _only(lint_file(data, Settings(path_checks=False)))
    assert code == "LC005"

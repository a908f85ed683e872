"""The fast paths give exactly the slow paths' verdicts; the cache and the pool are safe.

No timings are asserted here: benchmarks/bench_lint.py measures speed. These tests prove
that every shortcut (compiled schema, flat YAML reader, typer-free entry, process pool,
result cache) changes nothing a user sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from lorachecks.cli import entry, lint_command
from lorachecks.cli.app import app
from lorachecks.core.options import LINT_OPTIONS
from lorachecks.core.settings import Settings
from lorachecks.engine import cache as cache_module
from lorachecks.engine import linter, parallel
from lorachecks.engine.linter import FileResult, lint_paths
from lorachecks.formats.llamafactory import fast
from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.loader import yaml_loader
from lorachecks.loader.flat_yaml import load_flat
from tests.conftest import BASE, LF_CORPUS, ROOT

PROBES: list[Any] = [
    "x", "", "1e-4", "true", "sft", 1.5, 0.0, -0.5, 2.0, 1.0, True, False, -1, 0, 1, 3, 100,
    10**12, float("inf"), [1], ["a"], {}, {"a": 1}, None,
]  # fmt: skip

BROKEN = [
    "stage: sfx\nmodel_name_or_path: m\n",
    "lora_rank: eight\nstage: sft\nmodel_name_or_path: m\n",
    "learning_rate: '1e-4'\nstage: sft\nmodel_name_or_path: m\n",
    "lora_dropout: 1.5\nfinetuning_type: lora\nmodel_name_or_path: m\n",
    "quantization_bit: 2.0\nmodel_name_or_path: m\n",
    "report_to: wandb,tensorboard\nmodel_name_or_path: m\n",
    "lora_target: [q_proj, 1]\nmodel_name_or_path: m\n",
    "fp16: true\nbf16: true\ndo_train: true\nmodel_name_or_path: m\ndataset: d\n",
    "stage: sft\nstage: dpo\nmodel_name_or_path: m\n",
    "model_name_or_path: m\nlora_rnak: 8\nnum_train_epochs: 3\n",
    "model_name_or_path: m\neval_strategy: steps\nval_size: 0.1\ndataset: d\neval_steps: 0\nlogging_steps: 0\n",
    "model_name_or_path: m\nkt_config: 3\n",
    "model_name_or_path: m\nuse_galore: true\nfinetuning_type: full\ndeepspeed: ds.json\n",
    "model_name_or_path: m\nmax_steps: 1.5\nsave_steps: 2.5\n",
]


def _files(tmp_path: Path) -> list[Path]:
    paths = []
    for i, text in enumerate([BASE, *BROKEN]):
        path = tmp_path / f"c{i:02d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _results(results: list[FileResult]) -> list[tuple[str, str, str | None, str, list[Any]]]:
    return [(str(r.path), r.status, r.format, r.reason, r.diagnostics) for r in results]


# --- the compiled schema ------------------------------------------------------------------
def test_compiled_schema_is_fresh() -> None:
    assert fast.compiled() is not None, (
        "lorachecks/formats/llamafactory/compiled.py is stale: run `python tools/gen_llamafactory_compiled.py`"
    )


def test_compiled_fields_defaults_and_releases_match_the_model() -> None:
    module = fast.compiled()
    assert module is not None
    assert set(module.FIELDS) == set(LlamaFactoryConfig.model_fields)
    config = LlamaFactoryValues({}, ())  # the defaults, from the compiled table
    model = LlamaFactoryConfig.model_construct()
    for name in LlamaFactoryConfig.model_fields:
        assert getattr(config, name) == getattr(model, name), name
        assert module.FIELDS[name][2] == LlamaFactoryConfig.since(name), name
    assert LlamaFactoryValues.from_model(model).__dict__ == config.__dict__
    from lorachecks.formats.llamafactory import fields

    assert module.GROUPS == {name: tuple(getattr(fields, name).model_fields) for name in fields.__all__}


def test_compiled_module_is_data_only() -> None:
    """compiled.py holds no code of its own: the checks between fields are rules."""
    import ast

    tree = ast.parse(Path(fast.__file__).with_name("compiled.py").read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
    assigned = {
        t.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for t in ast.walk(node)
        if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)
    }
    assert assigned == {"SOURCE_HASH", "FIELDS", "GROUPS"}


@pytest.mark.parametrize("name", sorted(LlamaFactoryConfig.model_fields))
def test_fast_field_check_agrees_with_pydantic(name: str) -> None:
    module = fast.compiled()
    assert module is not None
    spec = module.FIELDS[name][0]
    for value in PROBES:
        try:
            model = LlamaFactoryConfig.model_validate({name: value}, strict=True, context={"findings": []})
            theirs: list[Any] = []
        except ValidationError as exc:
            model = None
            theirs = [
                (e["type"], e["msg"], e["input"], e.get("ctx"))
                for e in exc.errors(include_url=False)
                if e["loc"] and e["loc"][0] == name
            ]
        accepted = fast.accept(value, spec)
        if accepted is not fast._NO:
            assert theirs == [], (name, value)
            stored = getattr(model, name)
            assert accepted == stored and type(accepted) is type(stored), (name, value)
            continue
        mine = fast.explain(value, spec)
        if mine is not None:  # None: Pydantic explains this one itself
            assert [(e["type"], e["msg"], e["input"], e.get("ctx")) for e in mine] == theirs, (name, value)


@pytest.mark.parametrize("path_checks", [False, True])
def test_fast_validation_gives_pydantic_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path_checks: bool
) -> None:
    roots = [*_files(tmp_path), ROOT / "examples"]
    if LF_CORPUS.is_dir():
        roots.append(LF_CORPUS / "examples")
    settings = Settings(path_checks=path_checks, launch_dir=LF_CORPUS if LF_CORPUS.is_dir() else tmp_path)
    fast_results = _results(list(lint_paths(roots, settings)))
    monkeypatch.setattr(fast, "compiled", lambda: None)  # every file through Pydantic
    assert fast_results == _results(list(lint_paths(roots, settings)))


# --- the flat YAML reader -----------------------------------------------------------------
FLAT_SNIPPETS = [
    "a: 1e-4\nb: 1.0e-4\nc: on\nd: ~\ne: null\nf: 'x'\ng: \"y\"\nh: x # c\n",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 2024-01-01\nf: .inf\ng: -.5\nh: +1\n",
    "a: Yes please\nb: ${oc.env:X}/y\nc: (x)\nd: 1:30\ne: 190:20:30\nf: a,b\ng: True\nh: NULL\n",
    "# comment\n\na: 1\n  # indented comment\nb: 2\n",
    "a: 'it''s'\n",
    "a: b: c\n",
    "a: x#c\n",
    "on: 1\n",
    "a: =\n",
    "a: 1\na: 2\n",
    "a:\n  b: 1\n",
    "a: \x0c\n",
    "a: x\r\nb: y\r\n",
    "---\na: 1\n",
    "a: [1, 2]\n",
    "a: &x 1\nb: *x\n",
    "a: é\n",
]


@pytest.mark.parametrize("dialect", ["omegaconf", "pyyaml"])
def test_flat_reader_matches_the_full_loader(dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [(Path(f"s{i}.yaml"), t) for i, t in enumerate(FLAT_SNIPPETS)]
    for root in (ROOT / "examples", LF_CORPUS / "examples"):
        if root.is_dir():
            texts += [(p, p.read_text(encoding="utf-8-sig")) for p in sorted(root.rglob("*.yaml"))]
    used = 0
    for path, text in texts:
        flat = load_flat(path, text, dialect)
        if flat is None:
            continue
        used += 1
        with monkeypatch.context() as patch:
            patch.setattr(yaml_loader, "load_flat", lambda *args: None)
            full = yaml_loader.load_yaml(path, text, dialect)
        assert repr(flat.data) == repr(full.data), path
        assert [type(v) for v in flat.data.values()] == [type(v) for v in full.data.values()], path
        assert flat.key_positions == full.key_positions, path
        assert flat.value_positions == full.value_positions, path
        assert flat.scalar_styles == full.scalar_styles, path
        assert flat.problems == full.problems == [], path
    assert used >= 3


def test_flat_reader_leaves_everything_else_to_the_full_loader() -> None:
    for text in ["a: 'it''s'\n", "a: b: c\n", "a: x#c\n", "on: 1\n", "a: =\n", "a: 1\na: 2\n", "a:\n  b: 1\n"]:
        assert load_flat(Path("x.yaml"), text, "omegaconf") is None, text


# --- the typer-free entry -----------------------------------------------------------------
ARGVS = [
    ["x.yaml"],
    ["a.yaml", "b/", "--strict", "-v"],
    ["--format", "json", "x.yaml"],
    ["--format=json", "--output-format", "text", "x.yaml"],
    ["-f", "json", "--no-path-checks", "x.yaml"],
    ["--select", "LC1", "--select=LC2,LC3", "--ignore", "LC302", "x.yaml"],
    ["--launch-dir", "/tmp", "--llamafactory-version", "0.9.3", "x.yaml"],
    ["--input-format", "llamafactory", "x.yaml"],
    ["--gpu-memory", "24GB", "--gpus", "2", "--max-file-bytes", "2048", "x.yaml"],
    ["--path-checks", "--config", "p.toml", "--isolated", "x.yaml"],
    ["--no-path-checks", "--path-checks", "--fix", "--diff", "x.yaml"],
    ["--jobs", "2", "--cache", "x.yaml"],
    ["-j", "3", "--no-cache", "--cache-dir", "c", "x.yaml"],
    ["--", "--odd-name.yaml"],
    ["x.yaml", "--verbose"],
]


RUN_LINT_DEFAULTS = {o.param: o.default for o in LINT_OPTIONS}


@pytest.mark.parametrize("argv", ARGVS)
def test_fast_parser_matches_typer(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []

    def capture(paths: list[Path], **options: Any) -> int:
        seen.append({"paths": paths, **options})
        return 0

    monkeypatch.setattr(lint_command, "run_lint", capture)
    result = CliRunner().invoke(app, ["lint", *argv])
    assert result.exit_code == 0, result.output
    fast_args = entry.parse_lint(argv)
    assert fast_args is not None
    typer_args = seen[0]
    for name, default in RUN_LINT_DEFAULTS.items():
        fast_value = fast_args.get(name, default)
        assert fast_value == typer_args[name], name
    assert fast_args["paths"] == typer_args["paths"]


@pytest.mark.parametrize(
    "argv", [[], ["--help"], ["--bogus", "x"], ["--jobs", "0", "x"], ["--jobs", "two", "x"], ["-fjson", "x"]]
)
def test_unusual_command_lines_go_to_typer(argv: list[str]) -> None:
    assert entry.parse_lint(argv) is None


def test_fast_entry_output_and_exit_code_match_typer(tmp_path: Path) -> None:
    paths = ["--launch-dir", str(tmp_path), *(str(p) for p in _files(tmp_path))]
    for extra in ([], ["--format", "json"], ["--strict", "--no-path-checks"]):
        command = [sys.executable, "-m", "lorachecks", "lint", *extra, *paths]
        fast_run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
        typer_run = CliRunner().invoke(app, ["lint", *extra, *paths])
        assert fast_run.returncode == typer_run.exit_code == 1
        assert fast_run.stdout == typer_run.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "lorachecks", "lint", "nope.yaml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert missing.stderr == "lorachecks: error: no such file or directory: nope.yaml\n"


def test_clean_lint_imports_neither_typer_nor_pydantic(tmp_path: Path) -> None:
    config = tmp_path / "ok.yaml"
    config.write_text(BASE, encoding="utf-8")
    probe = textwrap.dedent(
        f"""
        import sys
        import runpy
        sys.argv = ["lorachecks", "lint", "--no-path-checks", {str(config)!r}]
        try:
            runpy.run_module("lorachecks", run_name="__main__")  # what `python -m lorachecks` does
        except SystemExit:
            pass
        print("LOADED:" + ",".join(sorted({{m.split(".")[0] for m in sys.modules}} & {{"typer", "click", "rich", "pydantic"}})))
        print("DEFERRED:" + ",".join(m for m in {sorted(DEFERRED)!r} if m in sys.modules))
        """
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "LOADED:\n" in proc.stdout, proc.stdout[-500:]
    assert "DEFERRED:\n" in proc.stdout, proc.stdout[-500:]


# Modules a clean one-file lint must not import (start-up cost, see docs/performance.md):
# the rules package is not scanned, the DeepSpeed reader, suppressions, the cache and
# config-file parsing load only when a file needs them, option descriptions never; records are not dataclasses
# (lorachecks/core/records.py says why); a flat YAML file is read without PyYAML (yaml11.py).
DEFERRED = {
    "yaml",
    "lorachecks.loader.yaml_nodes",
    "dataclasses",
    "inspect",
    "pkgutil",
    "json",
    "tomllib",
    "difflib",
    "hashlib",
    "sqlite3",
    "lorachecks.rules.suppress",
    "lorachecks.engine.cache",
    "lorachecks.engine.fix",
    "lorachecks.formats.llamafactory.deepspeed",
    "lorachecks.formats.descriptions",  # option descriptions are for hover and schemas only
}


# --- the process pool ---------------------------------------------------------------------
def test_process_pool_gives_the_same_results_in_the_same_order(tmp_path: Path) -> None:
    for copy in range(6):  # enough files for several chunks
        folder = tmp_path / f"g{copy}"
        folder.mkdir()
        for path in _files(tmp_path):
            if path.parent == tmp_path:
                (folder / path.name).write_bytes(path.read_bytes())
    settings = Settings(path_checks=False, launch_dir=tmp_path, jobs=1)
    serial = _results(list(lint_paths([tmp_path], settings)))
    assert len(serial) > 2 * parallel.CHUNK
    pooled = _results(list(lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path, jobs=2))))
    assert pooled == serial


def test_worker_count_follows_the_file_count() -> None:
    assert parallel.worker_count(None, 1) == 1
    assert parallel.worker_count(3, 1) == 3
    assert parallel.worker_count(None, 100_000) >= 1


# --- the result cache ---------------------------------------------------------------------
def _count_lints(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files lint_paths lints from now on (not served by the cache), in order."""
    linted: list[Path] = []
    real = linter.lint_file_safely

    def counting(path: Path, settings: Settings, explicit: bool = True) -> FileResult:
        linted.append(path)
        return real(path, settings, explicit)

    monkeypatch.setattr(linter, "lint_file_safely", counting)
    return linted


def _cached_run(paths: list[Path], settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """Results of a run and how many files were actually linted (not served by the cache)."""
    with monkeypatch.context() as patch:
        linted = _count_lints(patch)
        results = _results(list(lint_paths(paths, settings)))
    return results, len(linted)


def test_cache_reuses_unchanged_files_and_relints_changed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").mkdir()
    files = _files(tmp_path / "configs")
    settings = Settings(path_checks=False, launch_dir=tmp_path, cache_dir=tmp_path / "cache", jobs=1)
    first, linted = _cached_run(files, settings, monkeypatch)
    assert linted == len(files)
    again, linted = _cached_run(files, settings, monkeypatch)
    assert linted == 0 and again == first
    assert (tmp_path / "cache" / ".gitignore").is_file()

    files[0].write_text(BASE.replace("lora", "lroa"), encoding="utf-8")  # a changed file
    changed, linted = _cached_run(files, settings, monkeypatch)
    assert linted == 1
    assert changed[0] != first[0] and changed[1:] == first[1:]
    assert changed == _results(list(lint_paths(files, Settings(path_checks=False, launch_dir=tmp_path))))


def test_cache_is_keyed_by_settings_and_never_used_with_path_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "configs").mkdir()
    files = _files(tmp_path / "configs")
    base = Settings(path_checks=False, launch_dir=tmp_path, cache_dir=tmp_path / "cache", jobs=1)
    _cached_run(files, base, monkeypatch)
    strict = Settings(**{**_fields(base), "ignore": frozenset({"LC1"})})
    ignored, linted = _cached_run(files, strict, monkeypatch)
    assert linted == len(files)  # changed settings: every file linted again
    assert all(not d.code.startswith("LC1") for r in ignored for d in r[4])
    older = Settings(**{**_fields(base), "llamafactory_version": "0.9.3"})
    assert _cached_run(files, older, monkeypatch)[1] == len(files)
    with_paths = Settings(**{**_fields(base), "path_checks": True})
    assert _cached_run(files, with_paths, monkeypatch)[1] == len(files)
    assert _cached_run(files, with_paths, monkeypatch)[1] == len(files)  # path results never cached


def test_cache_key_includes_the_lorachecks_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").mkdir()
    files = _files(tmp_path / "configs")
    settings = Settings(path_checks=False, launch_dir=tmp_path, cache_dir=tmp_path / "cache", jobs=1)
    _cached_run(files, settings, monkeypatch)
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another lorachecks version")
    assert _cached_run(files, settings, monkeypatch)[1] == len(files)


def test_broken_cache_never_fails_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").mkdir()
    files = _files(tmp_path / "configs")
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = Settings(path_checks=False, launch_dir=tmp_path, cache_dir=blocker, jobs=1)
    results, linted = _cached_run(files, settings, monkeypatch)
    assert linted == len(files)
    assert results == _results(list(lint_paths(files, Settings(path_checks=False, launch_dir=tmp_path))))


def test_cli_cache_options(tmp_path: Path) -> None:
    config = tmp_path / "x.yaml"
    config.write_text(BASE, encoding="utf-8")
    cache_dir = tmp_path / "c"
    first = CliRunner().invoke(
        app, ["lint", "--no-path-checks", "--cache-dir", str(cache_dir), "--format", "json", str(config)]
    )
    assert first.exit_code == 0, first.output
    assert (cache_dir / cache_module.DB_NAME).is_file()
    second = CliRunner().invoke(
        app, ["lint", "--no-path-checks", "--cache-dir", str(cache_dir), "--format", "json", str(config)]
    )
    assert json.loads(second.output) == json.loads(first.output)
    off = tmp_path / "off"
    CliRunner().invoke(app, ["lint", "--no-path-checks", "--no-cache", "--cache-dir", str(off), str(config)])
    assert not off.exists()


def _fields(settings: Settings) -> dict[str, Any]:
    from lorachecks.core.records import fields

    return {name: getattr(settings, name) for name in fields(settings)}


# --- the rule registry --------------------------------------------------------------------
def test_rules_for_a_format_are_the_applicable_rules() -> None:
    import pkgutil

    from lorachecks import rules
    from lorachecks.formats import FORMATS

    for info in pkgutil.iter_modules(rules.__path__):
        if info.name.startswith("lc"):
            static = rules._static_formats(info.name)
            rule = next(r for r in rules.all_rules() if r.check.__module__.endswith(info.name))
            assert static is ... or static == rule.formats, info.name
    for indexed in (True, False):  # the generated index, then the scan it replaces
        with pytest.MonkeyPatch.context() as patch:
            if not indexed:
                patch.setattr(rules, "_indexed", lambda: None)
            rules._modules_for.cache_clear()
            for name in [None, *(f.name for f in FORMATS)]:
                expected = [r.code for r in rules.all_rules() if r.formats is None or name in r.formats]
                assert [r.code for r in rules.rules_for(name)] == expected, (name, indexed)
        rules._modules_for.cache_clear()


def test_rule_index_is_current() -> None:
    """lorachecks/rules/_index.py lists every rule module with its code and formats: run
    ``python tools/gen_rule_index.py`` after adding a rule or changing its FORMATS."""
    from lorachecks import rules
    from lorachecks.rules._index import ALIASES, RULES

    scanned = rules.scan()
    assert list(RULES) == [(name, code, None if f is None else tuple(sorted(f))) for name, code, f, _ in scanned], (
        "stale: run python tools/gen_rule_index.py"
    )
    assert ALIASES == {code: aliases for _, code, _, aliases in scanned if aliases}
    assert rules._indexed() == RULES


def test_stale_rule_index_falls_back_to_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    from lorachecks import rules
    from lorachecks.rules import _index

    _, code, formats = _index.RULES[-1]
    monkeypatch.setattr(_index, "RULES", _index.RULES[:-1])  # a rule added, index not regenerated
    rules._indexed.cache_clear()
    rules._modules_for.cache_clear()
    try:
        assert rules._indexed() is None
        fmt = None if formats is None else formats[0]
        assert code in [r.code for r in rules.rules_for(fmt)]  # still found, by the scan
    finally:
        monkeypatch.undo()
        rules._indexed.cache_clear()
        rules._modules_for.cache_clear()


def test_results_stream_out_batch_by_batch_with_run_wide_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twelve configs share one output_dir: LC607 (run-wide) warns on all but the first, and
    # results leave lint_paths a batch at a time, not after the last file.
    for copy in range(12):
        (tmp_path / f"c{copy:02}.yaml").write_text(BASE.replace("saves/x", "saves/shared"), "utf-8")
    settings = Settings(path_checks=False, launch_dir=tmp_path, jobs=1)
    serial = _results(list(lint_paths([tmp_path], settings)))
    assert [any(d.code == "LC607" for d in result[4]) for result in serial] == [False] + [True] * 11
    linted = _count_lints(monkeypatch)
    monkeypatch.setattr(linter, "BATCH", 4)
    stream = lint_paths([tmp_path], settings)
    first = [next(stream)]
    assert len(linted) == 4  # one batch
    assert _results(first + list(stream)) == serial

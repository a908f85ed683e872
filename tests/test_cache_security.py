"""The result cache holds data, not code, and believes only entries this user wrote: a cache
folder that arrives with a pull request can at worst cost a re-lint."""

from __future__ import annotations

import importlib.util
import json
import pickle
import sqlite3
from pathlib import Path

import pytest

from lorachecks.core.settings import Settings
from lorachecks.engine import cache as cache_module
from lorachecks.engine import linter
from lorachecks.engine.linter import FileResult, lint_paths
from tests.conftest import BASE


def configs(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i, text in enumerate([BASE, BASE + "lora_rnak: 8\n", BASE + "learning_rate: -1.0\n"]):
        path = folder / f"c{i}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def run(paths: list[Path], settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[str, ...]], int]:
    """(each file's codes, how many files were linted rather than served by the cache)."""
    linted: list[Path] = []
    real = linter.lint_file_safely

    def counting(path: Path, file_settings: Settings, explicit: bool = True) -> FileResult:
        linted.append(path)
        return real(path, file_settings, explicit)

    with monkeypatch.context() as patch:
        patch.setattr(linter, "lint_file_safely", counting)
        results = [tuple(d.code for d in r.diagnostics) for r in lint_paths(paths, settings)]
    return results, len(linted)


def settings_for(tmp_path: Path) -> Settings:
    return Settings(path_checks=False, launch_dir=tmp_path, cache_dir=tmp_path / "cache", jobs=1)


def rows(tmp_path: Path) -> list[tuple[str, bytes, bytes]]:
    with sqlite3.connect(tmp_path / "cache" / cache_module.DB_NAME) as db:
        return list(db.execute("SELECT key, value, mac FROM results"))


def test_entries_are_json_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = configs(tmp_path / "configs")
    first, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert linted == 3 and run(paths, settings_for(tmp_path), monkeypatch) == (first, 0)
    stored = rows(tmp_path)
    assert len(stored) == 3
    for _key, value, mac in stored:
        assert isinstance(json.loads(value), dict) and len(mac) == 32
    assert oct(cache_module.secret_path().stat().st_mode & 0o777) == "0o600"


def test_a_cache_written_elsewhere_is_not_believed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = configs(tmp_path / "configs")
    expected, _ = run(paths, settings_for(tmp_path), monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))  # another secret
    again, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert linted == 3 and again == expected


def test_a_forged_clean_verdict_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = configs(tmp_path / "configs")
    expected, _ = run(paths, settings_for(tmp_path), monkeypatch)
    assert expected[1]  # the typo file has findings
    with sqlite3.connect(tmp_path / "cache" / cache_module.DB_NAME) as db:
        for key, value, _mac in list(db.execute("SELECT key, value, mac FROM results")):
            data = json.loads(value)
            data["diagnostics"] = []  # "all clean", keeping the key and the old MAC
            db.execute("UPDATE results SET value = ? WHERE key = ?", (json.dumps(data).encode(), key))
    again, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert again == expected and linted == 3


def test_a_planted_pickle_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = configs(tmp_path / "configs")
    run(paths, settings_for(tmp_path), monkeypatch)
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (marker.write_text, ("code ran",))

    with sqlite3.connect(tmp_path / "cache" / cache_module.DB_NAME) as db:
        db.execute("UPDATE results SET value = ?", (pickle.dumps(Payload()),))
    results, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert linted == 3 and not marker.exists()
    assert results == [tuple(d.code for d in r.diagnostics) for r in lint_paths(paths, settings_for(tmp_path))]


@pytest.mark.parametrize("content", [b"garbage, not a database", b""])
def test_a_damaged_cache_file_costs_a_relint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    paths = configs(tmp_path / "configs")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / cache_module.DB_NAME).write_bytes(content)
    (tmp_path / "cache" / "results-v1.sqlite3").write_bytes(b"an old pickle cache")
    results, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert linted == 3 and results[1]


def test_a_yamllint_config_change_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("yamllint") is None:
        pytest.skip("yamllint is not installed")
    paths = configs(tmp_path / "configs")
    run(paths, settings_for(tmp_path), monkeypatch)
    (tmp_path / ".yamllint").write_text("extends: default\n")
    results, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert linted == 3 and any("LC700" in codes for codes in results)


def test_decode_refuses_anything_but_what_encode_writes() -> None:
    assert cache_module.decode(b"[]") is None
    assert cache_module.decode(b'{"path": 1}') is None
    good = FileResult(Path("a.yaml"), "checked", "llamafactory")
    assert cache_module.decode(cache_module.encode(good)) == good


def test_an_entry_moved_to_another_files_key_is_not_believed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A genuine entry (this user's HMAC) of the clean file, planted under the key of the file
    # with a typo: the HMAC covers the key (the file's bytes among it), so it does not verify.
    paths = configs(tmp_path / "configs")
    expected, _ = run(paths, settings_for(tmp_path), monkeypatch)
    cache = cache_module.ResultCache(settings_for(tmp_path))
    clean_key, typo_key = (cache.key(p, True, settings_for(tmp_path)) for p in paths[:2])
    cache.close()
    with sqlite3.connect(tmp_path / "cache" / cache_module.DB_NAME) as db:
        value, mac = db.execute("SELECT value, mac FROM results WHERE key = ?", (clean_key,)).fetchone()
        db.execute("UPDATE results SET value = ?, mac = ? WHERE key = ?", (value, mac, typo_key))
    again, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert again == expected and "LC101" in again[1] and linted == 1


def test_an_entry_of_another_shape_costs_a_relint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Even with a valid HMAC (an older lorachecks of this user's, say), an entry that is not
    # exactly what encode() writes is a miss.
    paths = configs(tmp_path / "configs")
    expected, _ = run(paths, settings_for(tmp_path), monkeypatch)
    secret = cache_module.machine_secret()
    assert secret is not None
    with sqlite3.connect(tmp_path / "cache" / cache_module.DB_NAME) as db:
        for (key,) in list(db.execute("SELECT key FROM results")):
            value = json.dumps({"path": "c.yaml", "status": "checked", "diagnostics": []}).encode()
            db.execute(
                "UPDATE results SET value = ?, mac = ? WHERE key = ?",
                (value, cache_module._mac(secret, key, value), key),
            )
    again, linted = run(paths, settings_for(tmp_path), monkeypatch)
    assert again == expected and linted == 3


def test_a_table_of_another_shape_costs_a_relint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = configs(tmp_path / "configs")
    (tmp_path / "cache").mkdir()
    with sqlite3.connect(tmp_path / "cache" / cache_module.DB_NAME) as db:
        db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, verdict TEXT)")
        db.execute("INSERT INTO results VALUES ('x', 'clean')")
    for _ in range(2):  # nothing can be stored either: every run lints every file
        results, linted = run(paths, settings_for(tmp_path), monkeypatch)
        assert linted == 3 and "LC101" in results[1]


def test_entries_of_another_lorachecks_version_are_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = configs(tmp_path / "configs")
    try:
        cache_module.code_fingerprint.cache_clear()
        with monkeypatch.context() as patch:
            patch.setattr(cache_module, "__version__", "0.0.1")
            run(paths, settings_for(tmp_path), monkeypatch)
        assert len(rows(tmp_path)) == 3
        cache_module.code_fingerprint.cache_clear()
        _, linted = run(paths, settings_for(tmp_path), monkeypatch)
        assert linted == 3 and len(rows(tmp_path)) == 6  # the old entries are never looked up
    finally:
        cache_module.code_fingerprint.cache_clear()

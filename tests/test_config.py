"""Project configuration: discovery like ruff, options, per-path overrides, CLI precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.core.diagnostics import Severity
from lorachecks.core.settings import Settings
from lorachecks.engine import config as config_module
from lorachecks.engine.config import ConfigError, Resolver, find_config, glob_regex, load_config
from lorachecks.engine.option_values import parse_gpu_memory
from tests.conftest import BASE

runner = CliRunner()
TYPO = BASE + "lora_rnak: 8\n"  # LC101 on line 9


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lint_json(*args: str) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(app, ["lint", "-f", "json", *args])
    diagnostics = json.loads(result.stdout)["diagnostics"] if result.exit_code in (0, 1) else []
    return result.exit_code, diagnostics


def test_nearest_config_wins_and_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lorachecks]\nignore = ["LC101"]\n')
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "x"\n')  # no table: keep walking
    write(tmp_path / "b" / "lorachecks.toml", 'select = ["LC3"]\n')
    write(tmp_path / "b" / "pyproject.toml", '[tool.lorachecks]\nselect = ["LC1"]\n')  # lorachecks.toml first
    found_a = find_config(tmp_path / "a" / "deep")
    found_b = find_config(tmp_path / "b")
    assert found_a is not None and found_a.path == tmp_path / "pyproject.toml"
    assert found_b is not None and found_b.path == tmp_path / "b" / "lorachecks.toml"
    assert found_b.options.select == frozenset({"LC3"})


def test_lookups_are_cached_per_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "lorachecks.toml", 'ignore = ["LC101"]\n')
    for name in ("one.yaml", "two.yaml", "sub/three.yaml"):
        write(tmp_path / "configs" / name, TYPO)
    calls: list[Path] = []
    real = config_module.load_config

    def counting(path: Path) -> object:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(config_module, "load_config", counting)
    resolver = Resolver(Settings(path_checks=False))
    for name in ("one.yaml", "two.yaml", "sub/three.yaml"):
        assert "LC101" in resolver(tmp_path / "configs" / name).ignore
    assert calls == [tmp_path / "lorachecks.toml"]


def test_select_ignore_and_severity_from_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "c.yaml", TYPO + "resize_vocab: true\n")
    code, diags = lint_json("--no-path-checks", str(bad))
    assert code == 1 and {d["code"] for d in diags} == {"LC101", "LC352"}
    # LC302, the older code LC352 took part of, still names it
    write(tmp_path / "pyproject.toml", '[tool.lorachecks]\nseverity = { LC101 = "warning", LC302 = "off" }\n')
    code, diags = lint_json("--no-path-checks", str(bad))
    assert code == 0 and [(d["code"], d["severity"]) for d in diags] == [("LC101", "warning")]
    write(tmp_path / "pyproject.toml", '[tool.lorachecks]\nignore = ["LC1"]\nstrict = true\n')
    code, diags = lint_json("--no-path-checks", str(bad))
    assert code == 1 and [d["code"] for d in diags] == ["LC352"]  # strict from the file: warnings fail


def test_per_path_overrides(tmp_path: Path) -> None:
    write(
        tmp_path / "lorachecks.toml",
        'path-checks = false\n[per-path."legacy/**/*.yaml"]\nllamafactory-version = "0.9.3"\n'
        'severity = { LC101 = "info" }\n[per-path."*.yml"]\nignore = ["LC101"]\n',
    )
    new = write(tmp_path / "new" / "c.yaml", TYPO + "learning_rate: 2e-4\n")
    old = write(tmp_path / "legacy" / "x" / "c.yaml", TYPO + "learning_rate: 2e-4\n")
    short = write(tmp_path / "deep" / "er" / "c.yml", TYPO)
    _, diags = lint_json(str(new), str(old), str(short))
    # the three configs share one output_dir: LC607 is beside the point here
    by_file = {
        (Path(str(d["path"])).relative_to(tmp_path).as_posix(), d["code"], d["severity"])
        for d in diags
        if d["code"] != "LC607"
    }
    assert by_file == {
        ("new/c.yaml", "LC101", "error"),
        ("legacy/x/c.yaml", "LC101", "info"),
        ("legacy/x/c.yaml", "LC104", "error"),  # PyYAML release: 2e-4 is text
    }


def test_settings_values_from_the_file(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.lorachecks]\ngpu_memory = "24GB"\ngpus = 2\nlaunch-dir = "lf"\nformat = "llamafactory"\n'
        "path-checks = false\n",
    )
    settings = Resolver(Settings())(tmp_path / "x.yaml")
    assert settings.gpu_memory_gib == 24.0 and settings.gpus == 2
    assert settings.launch_dir == (tmp_path / "lf").resolve()
    assert settings.format == "llamafactory" and settings.path_checks is False


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    write(tmp_path / "lorachecks.toml", 'ignore = ["LC104"]\nllamafactory-version = "0.9.3"\nselect = ["LC104"]\n')
    bad = write(tmp_path / "c.yaml", TYPO + "learning_rate: 2e-4\n")
    assert lint_json("--no-path-checks", str(bad)) == (0, [])
    _, diags = lint_json("--no-path-checks", "--select", "LC1", str(bad))
    assert {d["code"] for d in diags} == {"LC101", "LC104"}
    _, diags = lint_json("--no-path-checks", "--select", "LC1", "--llamafactory-version", "latest", str(bad))
    assert {d["code"] for d in diags} == {"LC101"}  # OmegaConf release: 2e-4 is a float
    assert lint_json("--no-path-checks", "--isolated", "--select", "LC104", str(bad)) == (0, [])
    _, diags = lint_json("--no-path-checks", "--isolated", str(bad))
    assert {d["code"] for d in diags} == {"LC101"}


def test_explicit_config_option(tmp_path: Path) -> None:
    other = write(tmp_path / "elsewhere" / "team.toml", 'ignore = ["LC101"]\n')
    bad = write(tmp_path / "c.yaml", TYPO)
    assert lint_json("--no-path-checks", "--config", str(other), str(bad)) == (0, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.lorachecks]\nselct = ["LC1"]\n', "unknown key `selct` (did you mean `select`?)"),
        ('[tool.lorachecks]\nseverity = { LC101 = "fatal" }\n', "use error, warning, info or off"),
        ('[tool.lorachecks]\nignore = ["LC999"]\n', "LC999, which is no rule"),
        ('[tool.lorachecks]\nignore = ["E501"]\n', "not a rule code or prefix"),
        ('[tool.lorachecks]\ngpu-memory = "lots"\n', "`gpu-memory` must be a size"),
        ("[tool.lorachecks]\ngpus = 0\n", "`gpus` must be a whole number"),
        ('[tool.lorachecks]\nformat = "axolotl"\n', "`format` must be one of"),
        (
            '[tool.lorachecks]\nllamafactory-version = "new"\n',
            "`llamafactory-version` unknown LLaMA-Factory release 'new'",
        ),
        ('[tool.lorachecks]\nllamafactory-version = "9.9.9"\n', "`llamafactory-version` unknown LLaMA-Factory release"),
        ('[tool.lorachecks]\ntransformers-version = "x"\n', "`transformers-version` not a transformers version"),
        ("[tool.lorachecks]\npath-checks = 1\n", "`path-checks` must be true or false"),
        ('[tool.lorachecks.per-path."*.yaml"]\ngpus = 2\n', "per-path '*.yaml': unknown key `gpus`"),
        ("[tool.lorachecks\nselect = 1\n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "pyproject.toml", text)
    bad = write(tmp_path / "c.yaml", TYPO)
    result = runner.invoke(app, ["lint", str(bad)])
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_gpu_memory_units() -> None:
    assert parse_gpu_memory(24) == parse_gpu_memory("24GB") == parse_gpu_memory("24 GiB") == 24.0
    assert parse_gpu_memory("81920MiB") == 80.0 and parse_gpu_memory(22.5) == 22.5
    for bad in (True, "24 apples", -1, 0):
        with pytest.raises(ValueError):
            parse_gpu_memory(bad)


def test_globs() -> None:
    assert glob_regex("legacy/**/*.yaml").fullmatch("legacy/a/b/c.yaml")
    assert glob_regex("legacy/**/*.yaml").fullmatch("legacy/c.yaml")
    assert not glob_regex("legacy/*.yaml").fullmatch("legacy/a/c.yaml")
    assert glob_regex("c?.y[a-z]ml").fullmatch("c1.yaml")


def test_unreadable_config_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "lorachecks.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match=r"lorachecks\.toml"):
        load_config(tmp_path / "lorachecks.toml")


def test_severity_prefix_longest_match() -> None:
    settings = Settings(severity={"LC1": Severity.INFO, "LC101": Severity.WARNING})
    assert settings.severity_for("LC101", Severity.ERROR) is Severity.WARNING
    assert settings.severity_for("LC104", Severity.ERROR) is Severity.INFO
    assert settings.severity_for("LC201", Severity.ERROR) is Severity.ERROR


def test_all_selects_every_rule(tmp_path: Path) -> None:
    write(tmp_path / "lorachecks.toml", 'select = ["ALL"]\nseverity = { ALL = "warning" }\n')
    bad = write(tmp_path / "c.yaml", TYPO)
    code, diags = lint_json("--no-path-checks", str(bad))
    assert code == 0 and [(d["code"], d["severity"]) for d in diags] == [("LC101", "warning")]


def test_folder_walk_skips_the_configuration_files(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lorachecks]\nignore = ["LC302"]\n')  # shadowed by lorachecks.toml
    write(tmp_path / "lorachecks.toml", 'path-checks = false\nignore = ["LC101"]\n')
    write(tmp_path / "c.yaml", TYPO)
    result = runner.invoke(app, ["lint", "-f", "json", str(tmp_path)])
    document = json.loads(result.stdout)
    assert result.exit_code == 0 and [Path(f["path"]).name for f in document["files"]] == ["c.yaml"]

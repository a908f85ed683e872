"""Opt-in differential tests: lorachecks' verdict against the real LLaMA-Factory trainer.

They run only when LORACHECKS_LF_VENV names a virtual environment holding llamafactory
(build one with tools/setup_lf_venv.sh). The tiny model and dataset are built once per
session with that environment's Python; the trainer runs of the selected cases go through
a pool of LORACHECKS_LF_JOBS workers (default 2).
"""

from __future__ import annotations

import os
import queue
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.differential.cases import CASES, Case
from tests.differential.harness import (
    LfServer,
    Outcome,
    lf_environment,
    lf_version,
    run_dry_run,
    run_lf,
    run_lint,
    write_case,
)

HERE = Path(__file__).resolve().parent
_VENV_ENV = "LORACHECKS_LF_VENV"


def _venv() -> Path | None:
    value = os.environ.get(_VENV_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    venv = _venv()
    if venv is None:
        reason = f"differential tests are opt-in: set {_VENV_ENV} to a venv built by tools/setup_lf_venv.sh"
    elif not (venv / "bin" / "llamafactory-cli").is_file():
        reason = f"{_VENV_ENV}={venv} has no bin/llamafactory-cli (build it with tools/setup_lf_venv.sh)"
    else:
        return
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def lf_venv() -> Path:
    venv = _venv()
    assert venv is not None
    return venv


@pytest.fixture(scope="session")
def tiny_fixture(lf_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lf_tiny")
    env = lf_environment(lf_venv, root, {})
    proc = subprocess.run(
        [str(lf_venv / "bin" / "python"), str(HERE / "make_tiny.py"), str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"building the tiny model failed:\n{proc.stdout}\n{proc.stderr}"
    return root


@pytest.fixture(scope="session")
def outcomes(
    request: pytest.FixtureRequest, lf_venv: Path, tiny_fixture: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """Run every selected case once, through the trainer (in a pool) and through lorachecks."""
    selected = {
        item.callspec.params["case"].name
        for item in request.session.items
        if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)
    }
    cases = [c for c in CASES if c.name in selected] or CASES
    root = tmp_path_factory.mktemp("lf_cases")
    version = lf_version(lf_venv)
    jobs = max(1, min(len(cases), int(os.environ.get("LORACHECKS_LF_JOBS", "2"))))
    # Default: fork each run from a process that imported LLaMA-Factory once (same code,
    # about 8 s of imports saved per run); LORACHECKS_LF_FORK=0 starts llamafactory-cli itself.
    fork = os.environ.get("LORACHECKS_LF_FORK", "1") != "0"
    servers: queue.Queue[LfServer] = queue.Queue()

    configs = {case.name: write_case(case, root, tiny_fixture) for case in cases}
    # Before the trainer writes into output_dir; one at a time (torch in one process).
    lints = {name: run_lint(config, version) for name, (config, _) in configs.items()}
    dry = {name: run_dry_run(config) for name, (config, _) in configs.items()} if _dry_run_available() else {}

    def one(case: Case) -> Outcome:
        config, extra = configs[case.name]
        lint = lints[case.name]
        if not fork:
            env = lf_environment(lf_venv, root / case.name, extra)
            return Outcome(case, config, run_lf(lf_venv, config, env), lint, dry.get(case.name))
        server = servers.get()
        try:
            lf = server.run(config, extra)
        finally:
            servers.put(server)
        return Outcome(case, config, lf, lint, dry.get(case.name))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        if fork:
            for server in pool.map(lambda i: LfServer(lf_venv, root / f"_server{i}"), range(jobs)):
                servers.put(server)
        try:
            results = list(pool.map(one, cases))
        finally:
            while not servers.empty():
                servers.get().close()
    print(f"\ndifferential: {len(cases)} cases, {jobs} workers, fork={fork}: {time.monotonic() - started:.1f} s")
    table = os.environ.get("LORACHECKS_DIFF_TABLE")
    if table:
        _write_table(Path(table), results, version, {str(root): "<cases>", str(tiny_fixture): "<tiny>"})
    return {o.case.name: o for o in results}


def _dry_run_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) for m in ("torch", "transformers", "peft"))


def _write_table(path: Path, results: list[Outcome], version: str, shorten: dict[str, str]) -> None:
    rows = [
        f"<!-- generated by tests/differential with llamafactory {version} -->",
        "| case | config defect | LLaMA-Factory outcome | lorachecks verdict | agree? | dry-run verdict "
        "| trainable: trainer / dry-run | dry-run agrees? |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in results:
        error = o.lf.error
        for long, short in shorten.items():
            error = error.replace(long, short)
        lf = o.lf.outcome + (f": `{error}`" if error else "")
        lint = ("error " + ", ".join(o.lint.codes())) if o.lint.failed else "no error"
        if not o.lint.failed and o.lint.warnings:
            lint += " (warning " + ", ".join(o.lint.codes("warnings")) + ")"
        agree = "yes" if o.lf.failed == o.lint.failed else ("known difference" if o.case.known_difference else "NO")
        dry, counts, dry_agree = _dry_run_columns(o)
        rows.append(
            f"| {o.case.name} | {o.case.what} | {lf.replace('|', '/')} | {lint} | {agree} | {dry} | {counts} "
            f"| {dry_agree} |"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _dry_run_columns(o: Outcome) -> tuple[str, str, str]:
    """The dry-run's verdict, both trainable counts, and whether verdict and count agree."""
    if o.dry is None:
        return "not run", "-", "-"
    codes = sorted({e.split(" ", 1)[0] for e in o.dry.errors})
    verdict = ("error " + ", ".join(codes)) if o.dry.failed else "runs"
    counts = f"{_count(o.lf.trainable)} / {_count(o.dry.trainable)}"
    same_count = o.lf.failed or o.lf.trainable is None or o.lf.trainable == o.dry.trainable
    if o.dry.failed == o.lf.failed and same_count:
        agree = "yes"
    else:
        agree = "documented difference" if o.case.dry_run_difference else "NO"
    return verdict, counts, agree


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"

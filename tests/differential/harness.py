"""Run one case through the real `llamafactory-cli train` and through lorachecks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file
from tests.differential.cases import Case

# Seconds one `llamafactory-cli train` may take (a 1-step run takes about 7 s here).
LF_TIMEOUT = float(os.environ.get("LORACHECKS_LF_TIMEOUT", "180"))

TRAINED, REFUSED, CRASHED, CRASHED_IN_TRAINING, TIMEOUT = (
    "trained",
    "refused",
    "crashed",
    "crashed in training",
    "timeout",
)
# Exceptions a trainer raises on purpose when it checks its arguments; anything else
# (TypeError, AttributeError, ZeroDivisionError, ...) is an accident: a crash.
# (pydantic's ValidationError is a ValueError: DeepSpeed checks its config with it.)
_REFUSALS = ("ValueError", "OSError", "FileNotFoundError", "ConstructorError", "ImportError", "ValidationError")
# Under torchrun (FORCE_TORCHRUN=1) each rank's lines carry a "[rankN]: " prefix, and the
# launchers end with their own report of the failed rank: the rank's exception is the one.
_RANK_PREFIX = re.compile(r"^\[rank\d+\]:\s?", re.MULTILINE)
_LAUNCHER_ERRORS = ("ChildFailedError", "CalledProcessError")
_EXCEPTION = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception))(?::\s*(.*))?$", re.MULTILINE)
_TRAINING_STARTED = ("***** Running training *****", "Num examples =")
_TRAINABLE = re.compile(r"trainable params: ([\d,]+)")
_TRAINED = ("***** train metrics *****", "train_loss")


@dataclass
class LfResult:
    outcome: str
    returncode: int | None
    seconds: float
    error: str = ""  # last exception line, shortened
    tail: str = ""  # end of the output, for failure messages
    trainable: int | None = None  # "trainable params: N" the trainer logged, when it got that far

    @property
    def failed(self) -> bool:
        return self.outcome != TRAINED


@dataclass
class LintVerdict:
    errors: list[str] = field(default_factory=list)  # "LC101 message"
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def codes(self, which: str = "errors") -> list[str]:
        return sorted({item.split(" ", 1)[0] for item in getattr(self, which)})


@dataclass
class DryRunVerdict:
    errors: list[str] = field(default_factory=list)  # "DR202 message"
    trainable: int | None = None
    meta: DryRunVerdict | None = None  # the same config with --device meta (no weights)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


@dataclass
class Outcome:
    """One case seen by both tools."""

    case: Case
    config: Path
    lf: LfResult
    lint: LintVerdict
    dry: DryRunVerdict | None = None


def run_dry_run(config: Path, device: str = "cpu") -> DryRunVerdict:
    """`lorachecks dry-run CONFIG --device cpu` (and, with it, `--device meta`), launched from
    the config's folder, in-process."""
    from lorachecks.dryrun import Options
    from lorachecks.dryrun.runner import dry_run

    report = dry_run(config, Options(device=device, launch_dir=config.parent))
    return DryRunVerdict(
        [f"{d.code} {d.message}" for d in report.diagnostics if d.severity.value == "error"],
        report.trainable_params,
        run_dry_run(config, "meta") if device == "cpu" else None,
    )


def lf_version(venv: Path) -> str:
    found = sorted(venv.glob("lib/python*/site-packages/llamafactory-*.dist-info"))
    if not found:
        return ""
    return found[-1].name.removeprefix("llamafactory-").removesuffix(".dist-info")


def lf_environment(venv: Path, home: Path, extra: dict[str, str]) -> dict[str, str]:
    """A clean environment: offline, CPU only, no launcher switches from the caller's shell."""
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(home),
        "HF_HOME": str(home / "hf"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CUDA_VISIBLE_DEVICES": "",
        "DISABLE_VERSION_CHECK": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "WANDB_MODE": "disabled",
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def classify(returncode: int | None, output: str) -> tuple[str, str]:
    output = _RANK_PREFIX.sub("", output)
    errors = [e for e in _EXCEPTION.findall(output) if e[0] not in _LAUNCHER_ERRORS]
    last = f"{errors[-1][0]}: {errors[-1][1]}".strip(": ")[:160] if errors else ""
    if returncode == 0 and any(m in output for m in _TRAINED):
        return TRAINED, ""
    if returncode == 0:
        return CRASHED, "exited 0 without training"
    if any(m in output for m in _TRAINING_STARTED):
        return CRASHED_IN_TRAINING, last
    if errors and errors[-1][0] in _REFUSALS:
        return REFUSED, last
    return CRASHED, last or f"exit code {returncode}"


def run_lf(venv: Path, config: Path, env: dict[str, str]) -> LfResult:
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [str(venv / "bin" / "llamafactory-cli"), "train", config.name],
            cwd=config.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=LF_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else ""
        return _result(None, out, time.monotonic() - started)
    output = proc.stdout.decode("utf-8", "replace")
    (config.parent / "lf_output.txt").write_text(output, encoding="utf-8")
    return _result(proc.returncode, output, time.monotonic() - started)


def _result(returncode: int | None, output: str, seconds: float) -> LfResult:
    if returncode is None:
        return LfResult(TIMEOUT, None, seconds, "", output[-3000:])
    outcome, error = classify(returncode, output)
    counted = _TRAINABLE.findall(output)
    trainable = int(counted[-1].replace(",", "")) if counted else None
    return LfResult(outcome, returncode, seconds, error, output[-3000:], trainable)


class LfServer:
    """One lf_server.py process: LLaMA-Factory imported once, one forked child per run."""

    def __init__(self, venv: Path, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.proc = subprocess.Popen(
            [str(venv / "bin" / "python"), str(Path(__file__).with_name("lf_server.py"))],
            cwd=home,
            env=lf_environment(venv, home, {}),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(home / "server.log").open("wb"),
            text=True,
        )
        ready = self._answer()
        if not ready.get("ready"):
            raise RuntimeError(f"lf_server did not start: {(home / 'server.log').read_text(errors='replace')[-3000:]}")

    def _answer(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"lf_server exited: {(self.home / 'server.log').read_text(errors='replace')[-3000:]}")
        answer: dict[str, object] = json.loads(line)
        return answer

    def run(self, config: Path, env: dict[str, str]) -> LfResult:
        assert self.proc.stdin is not None
        output = config.parent / "lf_output.txt"
        request = {"config": config.name, "cwd": str(config.parent), "env": env, "output": str(output)}
        request["timeout"] = LF_TIMEOUT  # type: ignore[assignment]
        started = time.monotonic()
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        code = self._answer()["returncode"]
        seconds = time.monotonic() - started
        text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
        return _result(code if isinstance(code, int) else None, text, seconds)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_lint(config: Path, version: str) -> LintVerdict:
    """lorachecks as a user runs it: path checks on, launched from the config's folder."""
    result = lint_file(config, Settings(launch_dir=config.parent, llamafactory_version=version or "latest"))
    verdict = LintVerdict()
    for d in result.diagnostics:
        line = f"{d.code} {d.message}"
        if d.severity.value == "error":
            verdict.errors.append(line)
        elif d.severity.value == "warning":
            verdict.warnings.append(line)
    return verdict


def write_case(case: Case, root: Path, fixture: Path) -> tuple[Path, dict[str, str]]:
    folder = root / case.name
    folder.mkdir(parents=True, exist_ok=True)
    empty = root / "_empty_dataset_dir"
    empty.mkdir(exist_ok=True)
    places = {
        "model": str(fixture / "model"),
        "spare1": str(fixture / "spare1"),
        "gpt2": str(fixture / "gpt2"),
        "qwen3moe": str(fixture / "qwen3moe"),
        "mixtral": str(fixture / "mixtral"),
        "qwen2vl": str(fixture / "qwen2vl"),
        "data": str(fixture / "data"),
        "out": str(folder / "out"),
        "empty": str(empty),
        "case": str(folder),
    }
    for name in case.files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    config = folder / case.filename
    config.write_text(case.render(places), encoding="utf-8")
    return config, case.environment(places)

"""Benchmark lorachecks against yamllint and check-jsonschema on generated corpora.

Generates N LLaMA-Factory configs (variations of the real examples under
``../shared/corpus/llamafactory``) in a temporary folder, then times, in the same run and on
the same files:

- ``lorachecks lint`` with every default rule on (path checks included, launched from a
  folder holding the corpus' ``data/dataset_info.json``), no cache;
- ``lorachecks lint --cache`` re-run over unchanged files (the warm cache);
- ``yamllint`` with its default configuration;
- ``check-jsonschema`` with lorachecks' exported LLaMA-Factory JSON Schema.

It prints the median wall time of each, the ratio to lorachecks and the peak memory (RSS)
of the process tree's largest process, plus a single-file cold start comparison (the
pre-commit case)::

    python benchmarks/bench_lint.py                   # 1,000 configs, 5 runs each
    python benchmarks/bench_lint.py --files 1000 10000 100000 --repeat 3
    python benchmarks/bench_lint.py --keep /tmp/corpus # keep the generated files
    python benchmarks/bench_lint.py --trainer kohya    # kohya training and dataset configs instead

With ``--trainer kohya`` the files are variations of the kohya TOML configs of
``../shared/corpus/sd`` and ``examples/kohya`` (lorachecks only: yamllint and
check-jsonschema read YAML and JSON).

Tools are looked up beside the running interpreter first (a virtual environment), then
on PATH; a missing tool is reported and skipped. No timing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "llamafactory"
SD_SOURCES = (ROOT.parent / "shared" / "corpus" / "sd", ROOT / "examples" / "kohya")
SCHEMA_FILE = ROOT / "schemas" / "llamafactory.schema.json"

# Values varied per generated file (key -> candidates); keys absent from a base stay absent.
VARIATIONS: dict[str, list[str]] = {
    "learning_rate": ["1.0e-4", "5.0e-5", "2.0e-4", "1.0e-5", "3.0e-4"],
    "lora_rank": ["4", "8", "16", "32", "64"],
    "num_train_epochs": ["1.0", "2.0", "3.0", "5.0"],
    "per_device_train_batch_size": ["1", "2", "4", "8"],
    "gradient_accumulation_steps": ["1", "2", "4", "8", "16"],
    "cutoff_len": ["1024", "2048", "4096"],
    "warmup_ratio": ["0.0", "0.03", "0.1"],
    "logging_steps": ["5", "10", "50"],
    "save_steps": ["100", "500", "1000"],
}
# A few files carry the mistakes lorachecks exists for, so the error path is timed too.
MISTAKES = [
    "lora_rnak: 8\n",  # unknown key (typo)
    "learning_rate: 1e-4\n",  # duplicate key
    "per_device_train_batch_size: two\n",  # duplicate + wrong type
]


def base_configs() -> list[tuple[str, str]]:
    """(name, text) of every LLaMA-Factory train/chat/export example config in the corpus."""
    if not CORPUS.is_dir():
        sys.exit(f"bench_lint: corpus not found at {CORPUS}")
    out = []
    for path in sorted((CORPUS / "examples").rglob("*.yaml")):
        if {"accelerate", "v1"} & set(path.parts):  # launcher and v1 configs: not train configs
            continue
        out.append((path.relative_to(CORPUS / "examples").as_posix().replace("/", "__"), path.read_text()))
    return out


# The same for kohya TOML (`key = value`, in whichever table).
KOHYA_VARIATIONS: dict[str, list[str]] = {
    "learning_rate": ["1e-4", "5e-5", "2e-4"],
    "unet_lr": ["1e-4", "5e-5", "2e-4"],
    "network_dim": ["8", "16", "32", "64"],
    "network_alpha": ["4", "8", "16"],
    "train_batch_size": ["1", "2", "4"],
    "max_train_epochs": ["5", "10", "20"],
    "num_repeats": ["1", "5", "10"],
}
KOHYA_MISTAKES = [
    "lr_restart_cycles = 2\n",  # a key sd-scripts ignores (LC101)
    'network_dim_typo = "8"\n',  # unknown key
    "lr_warmup_steps = 100\n",  # with the default constant scheduler: LC316
]
TRAINERS = ("llamafactory", "kohya")


def kohya_base_configs() -> list[tuple[str, str]]:
    """(name, text) of every kohya-looking TOML config of the SD corpus and the examples."""
    out = []
    for source in SD_SOURCES:
        for path in sorted(source.rglob("*.toml")):
            text = path.read_text(encoding="utf-8", errors="replace")
            out.append((f"{source.name}__{path.relative_to(source).as_posix().replace('/', '__')}", text))
    if not out:
        sys.exit(f"bench_lint: no kohya configs under {', '.join(map(str, SD_SOURCES))}")
    return out


def vary_kohya(text: str, rng: random.Random, index: int) -> str:
    for key, values in KOHYA_VARIATIONS.items():
        text = re.sub(rf"(?m)^(\s*{key}\s*=[ \t]*)[^\s#]+", lambda m, v=values: f"{m.group(1)}{rng.choice(v)}", text)
    text = f"# generated variation {index}\n{text}"
    if index % 20 == 7:  # 5% of the files carry a mistake
        text = text.rstrip("\n") + "\n" + KOHYA_MISTAKES[(index // 20) % len(KOHYA_MISTAKES)]
    return text


def vary(text: str, rng: random.Random, index: int) -> str:
    for key, values in VARIATIONS.items():
        text = re.sub(
            rf"(?m)^({key}):([ \t]*)[^\s#]+", lambda m, v=values: f"{m.group(1)}:{m.group(2)}{rng.choice(v)}", text
        )
    text = re.sub(r"(?m)^(output_dir):[ \t]*(\S+)", lambda m: f"{m.group(1)}: {m.group(2)}_{index}", text)
    text = f"# generated variation {index}\n{text}"
    if index % 20 == 7:  # 5% of the files carry a mistake
        text = text.rstrip("\n") + "\n" + MISTAKES[(index // 20) % len(MISTAKES)]
    return text


def generate(folder: Path, count: int, seed: int = 8, trainer: str = "llamafactory") -> list[Path]:
    rng = random.Random(seed)
    kohya = trainer == "kohya"
    bases = kohya_base_configs() if kohya else base_configs()
    files = []
    for i in range(count):
        name, text = bases[i % len(bases)]
        sub = folder / f"group{i // 100:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"{i:06d}_{name}"
        path.write_text(vary_kohya(text, rng, i) if kohya else vary(text, rng, i), encoding="utf-8")
        files.append(path)
    return files


def tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def export_schema(dest: Path) -> Path | None:
    """lorachecks' exported schema: the `schema` command, the shipped file, or the model."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(
        [sys.executable, "-m", "lorachecks", "schema", "--format", "llamafactory"],
        capture_output=True,
        text=True,
        env=env,
    )
    if probe.returncode == 0 and probe.stdout.lstrip().startswith("{"):
        dest.write_text(probe.stdout)
        return dest
    if SCHEMA_FILE.is_file():
        return SCHEMA_FILE
    try:  # fallback until `lorachecks schema` exists: the Pydantic model's own JSON Schema
        sys.path.insert(0, str(ROOT))
        from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig

        dest.write_text(json.dumps(LlamaFactoryConfig.model_json_schema()))
        return dest
    except Exception as exc:  # pragma: no cover - reported, the tool is skipped
        print(f"bench_lint: no JSON Schema for check-jsonschema ({exc})", file=sys.stderr)
        return None


TIME = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)


def timed(cmd: Sequence[str], cwd: Path) -> tuple[float, float, int, float]:
    """(seconds, peak RSS in MiB, exit code, CPU seconds) of one run.

    RSS comes from GNU time when present: a child forked from this (larger) process would
    otherwise report this process's RSS as its own peak.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.NamedTemporaryFile("r") as report:
        wrapper = [TIME, "-f", "%M %U %S", "-o", report.name] if TIME else []
        start = time.perf_counter()
        proc = subprocess.run([*wrapper, *cmd], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        text = report.read().strip().splitlines()
    fields = text[-1].split() if TIME and text else []
    if len(fields) == 3 and fields[0].isdigit():
        return elapsed, float(fields[0]) / 1024, proc.returncode, float(fields[1]) + float(fields[2])
    return elapsed, float("nan"), proc.returncode, float("nan")


Result = tuple[float, float, int, float, float]  # median wall s, max RSS MiB, exit, median CPU s, fastest s


def measure(commands: dict[str, list[str]], cwd: Path, repeat: int) -> dict[str, Result]:
    """Median seconds, max RSS, last exit code and median CPU time per command, interleaved.

    CPU time (user + system, the process and its workers) is less disturbed than wall time
    by other work on a shared machine; both are reported."""
    runs: dict[str, list[tuple[float, float, int, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(timed(cmd, cwd))
    return {
        name: (
            statistics.median(r[0] for r in rs),
            max(r[1] for r in rs),
            rs[-1][2],
            statistics.median(r[3] for r in rs),
            min(r[0] for r in rs),
        )
        for name, rs in runs.items()
    }


def lorachecks_cmd(*args: str) -> list[str]:
    """The console script, as users and the pre-commit hook run it (``python -m`` adds
    runpy's imports, a few ms of a cold start); ``-m`` where there is no script."""
    script = Path(sys.executable).with_name("lorachecks")
    if script.is_file():
        return [str(script), "lint", *args]
    return [sys.executable, "-m", "lorachecks", "lint", *args]


def table(title: str, results: dict[str, Result], reference: str) -> None:
    """Medians, and the fastest run: on a shared machine the fastest is the least disturbed."""
    ref, ref_cpu, ref_min = results[reference][0], results[reference][3], results[reference][4]
    print(f"\n{title}")
    print(
        f"| {'tool':<40} | {'median s':>9} | {'x lorachecks':>12} | {'fastest s':>9} | {'x':>5} "
        f"| {'CPU s':>7} | {'CPU x':>6} | {'peak RSS MiB':>12} | exit |"
    )
    print(f"|{'-' * 42}|{'-' * 11}|{'-' * 14}|{'-' * 11}|{'-' * 7}|{'-' * 9}|{'-' * 8}|{'-' * 14}|------|")
    for name, (seconds, rss, code, cpu, fastest) in results.items():
        print(
            f"| {name:<40} | {seconds:>9.3f} | {seconds / ref:>12.2f} | {fastest:>9.3f} | {fastest / ref_min:>5.2f} "
            f"| {cpu:>7.3f} | {cpu / ref_cpu:>6.2f} | {rss:>12.1f} | {code:>4} |"
        )


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, nargs="+", default=[1000], help="corpus sizes (default: 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per tool and size (median reported)")
    parser.add_argument("--single-repeat", type=int, default=11, help="runs of the single-file comparison")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--skip", nargs="*", default=[], help="tools to skip: yamllint, check-jsonschema")
    parser.add_argument(
        "--others-max", type=int, default=10000, help="run yamllint and check-jsonschema only up to this many files"
    )
    parser.add_argument("--trainer", choices=TRAINERS, default="llamafactory", help="which configs to generate")
    args = parser.parse_args(argv)
    kohya = args.trainer == "kohya"
    if kohya:  # YAML / JSON tools cannot read TOML configs
        args.skip = [*args.skip, "yamllint", "check-jsonschema"]
    kind = "kohya" if kohya else "LLaMA-Factory"

    # An installed package ships bytecode; a checkout run with PYTHONDONTWRITEBYTECODE has none.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lorachecks")], check=False)
    work = args.keep or Path(tempfile.mkdtemp(prefix="lorachecks-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        # The launch folder: the corpus' data/ (dataset_info.json and demo data files).
        if not (work / "data").exists():
            (work / "data").symlink_to(CORPUS / "data", target_is_directory=True)
        schema = export_schema(work / "llamafactory.schema.json") if "check-jsonschema" not in args.skip else None
        yamllint = tool("yamllint") if "yamllint" not in args.skip else None
        cjs = tool("check-jsonschema") if schema is not None else None
        print(f"machine: {machine()}")
        print(f"tools: yamllint={yamllint}, check-jsonschema={cjs}, schema={schema}")

        for count in args.files:
            folder = work / f"configs{count}"
            if folder.exists():
                shutil.rmtree(folder)
            files = generate(folder, count, trainer=args.trainer)
            cache = work / f"cache{count}"
            shutil.rmtree(cache, ignore_errors=True)
            commands: dict[str, list[str]] = {"lorachecks lint (all rules)": lorachecks_cmd(str(folder))}
            others = count <= args.others_max
            if yamllint and others:
                commands["yamllint"] = [yamllint, str(folder)]
            if cjs and schema and others and count <= 20000:  # check-jsonschema takes files, not folders
                commands["check-jsonschema (lorachecks schema)"] = [cjs, "--schemafile", str(schema)] + [
                    str(f) for f in files
                ]
            commands["lorachecks lint --jobs 1"] = lorachecks_cmd("--jobs", "1", str(folder))
            # Path checks are never cached: compare the cache with --no-path-checks runs.
            commands["lorachecks lint --no-path-checks"] = lorachecks_cmd("--no-path-checks", str(folder))
            warm = lorachecks_cmd("--no-path-checks", "--cache-dir", str(cache), str(folder))
            timed(warm, work)  # fill the cache once, then time re-runs over unchanged files
            commands["lorachecks --no-path-checks, warm cache"] = warm
            repeat = args.repeat if count <= 10000 else 1
            results = measure(commands, work, repeat)
            table(f"{count:,} {kind} configs, median of {repeat}", results, "lorachecks lint (all rules)")
            ms = results["lorachecks lint (all rules)"][0] / count * 1000
            print(f"lorachecks: {ms:.3f} ms per file")

        single = generate(work / "single", 1, trainer=args.trainer)[0]
        commands = {"lorachecks lint (all rules)": lorachecks_cmd(str(single))}
        if yamllint:
            commands["yamllint"] = [yamllint, str(single)]
        if cjs and schema:
            commands["check-jsonschema (lorachecks schema)"] = [cjs, "--schemafile", str(schema), str(single)]
        table(
            f"one file, cold start, median of {args.single_repeat}",
            measure(commands, work, args.single_repeat),
            "lorachecks lint (all rules)",
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`lorachecks dry-run --nproc N`: the step under torch.distributed.run, one process per rank.

The parent (``launch``) lints and reads the config once, then starts ``torchrun`` with this
module as the program. Each rank builds the model as a one-process dry-run does, wraps it
with the engine the config names - FSDP (``fully_shard``, each decoder layer then the root)
when it sets ``fsdp``, DDP otherwise - on gloo (CPU) or NCCL (CUDA), runs the step and writes
its numbers to ``rank<N>.json``; the parent reads them back into the report. A config with a
``deepspeed`` file runs ZeRO itself (zero.py) where the deepspeed package is installed;
elsewhere the dry-run says so and DDP stands in. Imported only by the dry-run command.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.records import field, record

if TYPE_CHECKING:
    import torch

    from lorachecks.dryrun.config import Plan
    from lorachecks.dryrun.report import Report
    from lorachecks.dryrun.runner import Options

RANK_TIMEOUT_S = 900


@record(slots=True)
class RankResult:
    rank: int
    world_size: int
    engine: str
    ok: bool
    trainable_params: int | None = None  # the whole model's, as one process sees it
    local_trainable_params: int | None = None  # what this rank holds (its FSDP shards)
    shards: int = 0  # FSDP units (decoder layers and the root)
    peak_memory: int | None = None
    losses: list[float | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what stopped the rank outside a diagnostic
    # the rank's error diagnostics: [code, message, key, hint], re-reported by the parent
    findings: list[list[str | None]] = field(default_factory=list)


def engine_of(data: dict[str, Any]) -> str:
    """The engine the trainer would use: fsdp, deepspeed or ddp."""
    if data.get("fsdp"):
        return "fsdp"
    if data.get("deepspeed"):
        return "deepspeed"
    return "ddp"


def batch_problem(data: dict[str, Any], launch_dir: Path, world: int) -> tuple[str, str] | None:
    """The DeepSpeed file's fixed batch sizes against the config's and this world size:
    transformers' DeepSpeed integration stops at start-up on a mismatch ("Please correct the
    following DeepSpeed config values that mismatch TrainingArguments values"). (message,
    hint), or None; "auto" values are filled in by the trainer and always agree."""
    from lorachecks.core.paths import read_json, resolve
    from lorachecks.formats import effective

    path = data.get("deepspeed")
    if not isinstance(path, str):
        return None
    config, error = read_json(resolve(path, launch_dir))
    if error is not None or not isinstance(config, dict):
        return None
    values = effective.llamafactory(data)
    micro = _number(values["per_device_train_batch_size"])
    accumulation = _number(values["gradient_accumulation_steps"])
    if micro is None or accumulation is None:
        return None
    expected = {
        "train_micro_batch_size_per_gpu": micro,
        "gradient_accumulation_steps": accumulation,
        "train_batch_size": micro * accumulation * world,
    }
    wrong = [
        f"ds {name}={config[name]} vs {value}"
        for name, value in expected.items()
        if _number(config.get(name)) is not None and config[name] != value
    ]
    if not wrong:
        return None
    return (
        f"the DeepSpeed file's batch sizes disagree with the config on {world} processes ({'; '.join(wrong)}): "
        "the trainer stops at start-up",
        'set them to "auto" in the DeepSpeed file (the trainer fills them in), or make them agree',
    )


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def deepspeed_usable() -> str | None:
    """None when DeepSpeed can run here, else why not (the ranks run this interpreter)."""
    import importlib.util

    if importlib.util.find_spec("deepspeed") is None:
        return "the deepspeed package is not installed in this environment"
    if importlib.util.find_spec("accelerate") is None:
        return "transformers' DeepSpeed integration needs the accelerate package, which is not installed"
    return None


def launch(path: Path, options: Options, plan: Plan, data: dict[str, Any], launch_dir: Path, report: Report) -> None:
    """Run the step on ``options.nproc`` processes and put each rank's numbers on ``report``."""
    world = options.nproc
    if options.device == "meta":  # the ranks would quietly run on the CPU instead
        report.fail(
            "DR002",
            f"--device meta builds shapes without values: {world} processes would have nothing to exchange",
            None,
            "drop --nproc to check targets and shapes on meta, or run --nproc on cpu or cuda",
        )
        return
    engine = engine_of(data)
    problem = batch_problem(data, launch_dir, world)
    if problem is not None:
        report.fail("DR307", problem[0], "deepspeed", problem[1])
        return
    zero_file: str | None = None
    if engine == "deepspeed":
        why = deepspeed_usable()
        if why is None:
            zero_file = _zero_file(data, launch_dir, world)
        else:
            report.fail(
                "DR002",
                f"the DeepSpeed step is not run: {why}; DDP stands in (same model, adapter and batch per rank)",
                "deepspeed",
                "pip install deepspeed (it builds its ops for the local CUDA) to run ZeRO itself",
                error=False,
            )
            engine = "ddp"
    report.engine, report.world_size = engine, world
    if engine == "fsdp" and not _ranks_on_cuda(options.device):
        report.notes.append(
            "FSDP on the CPU: the trainer (accelerate) runs FSDP only on an accelerator (CUDA, XPU, NPU, ...) and "
            "stops here; the ranks shard on gloo to check the model, targets and shards for the GPU run"
        )
    with tempfile.TemporaryDirectory(prefix="lorachecks-ranks-") as folder:
        command = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            # one machine: the ranks meet on loopback, also where the host name does not resolve
            # (containers, sandboxes), which would leave the rendezvous retrying for minutes
            "--local-addr",
            "127.0.0.1",
            f"--nproc_per_node={world}",
            "-m",
            "lorachecks.dryrun.distributed",
            str(path),
            "--out",
            folder,
            "--engine",
            engine,
            "--device",
            options.device,
            "--init",
            options.init,
            "--steps",
            str(options.steps),
            "--launch-dir",
            str(launch_dir),
        ]
        if zero_file is not None:
            command += ["--zero", zero_file]
        if options.config is not None:  # each rank reads the same project configuration
            command += ["--project-config", str(options.config.resolve())]
        if options.isolated:
            command.append("--isolated")
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=RANK_TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            report.fail("DR308", f"the {world} ranks did not finish in {RANK_TIMEOUT_S} s (a collective hung?)", None)
            return
        ranks = [_read(Path(folder) / f"rank{r}.json") for r in range(world)]
    found = [r for r in ranks if r is not None]
    report.ranks = found
    if len(found) < world:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        report.fail("DR308", f"{world - len(found)} of {world} ranks died: {' | '.join(tail)[:400]}", None)
    for result in found:
        for message in result.errors:
            report.fail("DR308", f"rank {result.rank}: {message}", None)
    _report_findings(found, report)
    if found and all(r.ok for r in found):
        first = found[0]
        report.trainable_params, report.losses = first.trainable_params, first.losses
        report.peak_memory = max((r.peak_memory or 0) for r in found) or None
        report.peak_memory_source = (
            "largest torch.cuda.max_memory_allocated of one rank"
            if _ranks_on_cuda(options.device)
            else "largest peak RSS of one rank process"
        )


def _ranks_on_cuda(device: str) -> bool:
    """Where the ranks run (as _rank_main decides): CUDA for cuda/auto when torch sees a GPU."""
    import torch

    return device in ("cuda", "auto") and torch.cuda.is_available()


def _report_findings(ranks: list[RankResult], report: Report) -> None:
    """The ranks' own error diagnostics at their own keys, once for the ranks that share one."""
    by_finding: dict[tuple[str | None, ...], list[int]] = {}
    for result in ranks:
        for finding in result.findings:
            by_finding.setdefault(tuple(finding), []).append(result.rank)
    for (code, message, key, hint), where in by_finding.items():
        who = "every rank" if len(where) == len(ranks) else "rank " + ", ".join(map(str, where))
        report.fail(code or "DR308", f"{who}: {message}", key, hint)


def _zero_file(data: dict[str, Any], launch_dir: Path, world: int) -> str:
    """The ranks' ZeroArgs as JSON (the DeepSpeed file resolved as the trainer resolves it)."""
    from lorachecks.core.paths import resolve
    from lorachecks.dryrun import zero

    return zero.to_json(zero.zero_args(data, str(resolve(str(data["deepspeed"]), launch_dir)), world))


def _read(path: Path) -> RankResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RankResult(**data)
    except (OSError, ValueError, TypeError):
        return None


def wrap(model: torch.nn.Module, engine: str, device: str) -> tuple[torch.nn.Module, int]:
    """``model`` under the engine, and the number of FSDP units (0 for DDP)."""
    import torch

    if engine == "fsdp":
        from torch.distributed.fsdp import fully_shard

        layers = [m for m in model.modules() if type(m).__name__.endswith(("DecoderLayer", "Block"))]
        for layer in layers:
            fully_shard(layer)
        fully_shard(model)
        return model, len(layers) + 1
    ids = [int(device.split(":")[1])] if device.startswith("cuda:") else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids), 0


def local_numel(model: torch.nn.Module) -> int:
    """Trainable elements this rank holds (an FSDP parameter is a DTensor: its local shard)."""
    total = 0
    for param in model.parameters():
        if param.requires_grad:
            local = param.to_local() if hasattr(param, "to_local") else param
            total += local.numel()
    return total


def _rank_main(argv: list[str]) -> int:
    """One rank: build, wrap, step, write rank<N>.json. Never a traceback: errors go in the file."""
    import torch
    import torch.distributed as dist

    from lorachecks.dryrun import zero
    from lorachecks.dryrun.runner import Options, dry_run
    from lorachecks.dryrun.step import cpu_peak_bytes

    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--out", required=True)
    parser.add_argument("--engine", default="ddp")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--init", default="weights")
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--launch-dir", required=True)
    parser.add_argument("--zero", default=None)  # ZeroArgs as JSON: run DeepSpeed ZeRO
    parser.add_argument("--project-config", default=None)
    parser.add_argument("--isolated", action="store_true")
    args = parser.parse_args(argv)
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = _ranks_on_cuda(args.device)
    if args.zero is not None and not cuda:
        os.environ["DS_ACCELERATOR"] = "cpu"  # DeepSpeed would pick CUDA wherever it sees a GPU
    if cuda:
        torch.cuda.set_device(local)
    dist.init_process_group("nccl" if cuda else "gloo")
    result = RankResult(rank, world, args.engine, ok=False)
    try:
        options = Options(
            device="cuda" if cuda else "cpu",
            steps=args.steps,
            launch_dir=Path(args.launch_dir),
            init=args.init,
            engine=args.engine,
            zero=None if args.zero is None else zero.from_json(args.zero),
            config=None if args.project_config is None else Path(args.project_config),
            isolated=args.isolated,
        )
        report = dry_run(Path(args.config), options)
        result.ok = report.ok
        result.trainable_params = report.trainable_params
        result.local_trainable_params = report.local_trainable_params
        result.shards = report.shards
        result.engine = report.engine or args.engine  # a DeepSpeed rank names its ZeRO stage
        result.losses = report.losses
        result.findings = [
            [d.code, d.message, d.key, d.hint] for d in report.diagnostics if d.severity.value == "error"
        ]
        result.peak_memory = torch.cuda.max_memory_allocated() if cuda else cpu_peak_bytes()
    except Exception as exc:  # a rank's failure is data for the parent, never a traceback
        result.errors.append(f"{type(exc).__name__}: {str(exc).strip()[:300]}")
    finally:
        from lorachecks.core.records import asdict

        Path(args.out, f"rank{rank}.json").write_text(json.dumps(asdict(result)), encoding="utf-8")
        if dist.is_initialized():
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(_rank_main(sys.argv[1:]))

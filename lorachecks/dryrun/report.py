"""The dry-run report: numbers, verdicts and diagnostics, rendered as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from lorachecks.core.diagnostics import Diagnostic, Severity
from lorachecks.core.records import asdict, field, record

Locate = Callable[[str, str, "str | None", "str | None"], Diagnostic]


@record(slots=True)
class GradCheck:
    trainable: int = 0  # trainable tensors
    ok: int = 0  # finite, non-zero gradient
    zero_by_design: int = 0  # LoRA A while B is still zero
    unverified: int = 0  # meta tensors: present, values unknown
    missing: list[str] = field(default_factory=list)
    non_finite: list[str] = field(default_factory=list)
    zero: list[str] = field(default_factory=list)
    frozen_with_grad: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.missing or self.non_finite or self.zero or self.frozen_with_grad)


@record(slots=True)
class Report:
    config: str
    kind: str = ""
    model: str = ""
    device: str = ""
    device_reason: str = ""
    dtype: str = ""
    finetuning_type: str = ""
    total_params: int | None = None
    trainable_params: int | None = None
    adapter_modules: int | None = None
    adapter_module_names: list[str] = field(default_factory=list)
    batch: str = ""
    losses: list[float | None] = field(default_factory=list)
    final_loss: float | None = None
    grad_norm: float | None = None
    grads: GradCheck | None = None
    step_times: list[float] = field(default_factory=list)
    load_time: float | None = None
    peak_memory: int | None = None
    peak_memory_source: str = ""
    estimate: int | None = None
    estimate_source: str = ""
    # `lorachecks estimate` for the same config: peak GPU memory (activations included).
    tool_estimate: int | None = None
    tool_estimate_trainable: int | None = None
    tool_estimate_activations: int = 0  # its activation bytes: they size `--device auto` too
    saved: str | None = None
    # The library versions the verdict was reached with (what peft adapts, how transformers
    # builds MoE experts, depend on them), and the trainer release whose rules were followed.
    libraries: dict[str, str] = field(default_factory=dict)
    # --nproc: the engine, the process count, and each rank's numbers (distributed.RankResult)
    engine: str = ""
    world_size: int = 1
    shards: int = 0
    local_trainable_params: int | None = None
    ranks: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    locate: Locate | None = None

    @property
    def trainable_share(self) -> float | None:
        if not self.total_params or self.trainable_params is None:
            return None
        return self.trainable_params / self.total_params

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def fail(self, code: str, message: str, key: str | None, hint: str | None = None, error: bool = True) -> None:
        assert self.locate is not None
        found = self.locate(code, message, key, hint)
        if not error:
            found = Diagnostic(
                found.path, found.line, found.column, found.code, Severity.WARNING, found.message, found.key, found.hint
            )
        self.diagnostics.append(found)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "config": self.config,
            "ok": self.ok,
            "kind": self.kind,
            "model": self.model,
            "device": self.device,
            "device_reason": self.device_reason,
            "dtype": self.dtype,
            "finetuning_type": self.finetuning_type,
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "trainable_share": self.trainable_share,
            "adapter_modules": self.adapter_modules,
            "adapter_module_names": self.adapter_module_names,
            "batch": self.batch,
            "losses": self.losses,
            "final_loss": self.final_loss,
            "grad_norm": self.grad_norm,
            "gradients": None,
            "step_times_s": [round(t, 4) for t in self.step_times],
            "load_time_s": None if self.load_time is None else round(self.load_time, 4),
            "peak_memory_bytes": self.peak_memory,
            "peak_memory_source": self.peak_memory_source,
            "estimate_bytes": self.estimate,
            "estimate_source": self.estimate_source,
            "lorachecks_estimate_bytes": self.tool_estimate,
            "lorachecks_estimate_trainable_params": self.tool_estimate_trainable,
            "saved": self.saved,
            "libraries": self.libraries,
            "distributed": None
            if not self.ranks
            else {"engine": self.engine, "world_size": self.world_size, "ranks": [asdict(r) for r in self.ranks]},
            "notes": self.notes,
            "diagnostics": [
                {**asdict(d), "severity": d.severity.value} for d in sorted(self.diagnostics, key=Diagnostic.sort_key)
            ],
        }
        if self.grads is not None:
            out["gradients"] = {**asdict(self.grads), "passed": self.grads.passed}
        return out


def render_json(report: Report, out: TextIO) -> None:
    json.dump(report.as_dict(), out, indent=2)
    out.write("\n")


def _num(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _bytes(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.1f} MiB" if n < 2**30 else f"{n / 2**30:,.2f} GiB"


def _loss(value: float | None) -> str:
    return "n/a (meta tensors)" if value is None else f"{value:.5f}"


def rows(report: Report) -> list[tuple[str, str]]:
    """The report as (label, value) pairs, in display order."""
    out = [
        ("config", f"{report.config} ({report.kind})" if report.kind else report.config),
        ("model", report.model),
        ("device", f"{report.device} - {report.device_reason}"),
        ("dtype", report.dtype),
        ("fine-tuning", report.finetuning_type),
    ]
    out = [(label, value) for label, value in out if value and not value.startswith((" - ", " ("))]
    if report.total_params is not None:
        share = report.trainable_share
        out += [
            ("parameters", _num(report.total_params)),
            ("trainable", f"{_num(report.trainable_params)} ({share:.4%})" if share is not None else "-"),
        ]
    if report.adapter_modules is not None:
        sample = ", ".join(report.adapter_module_names[:4])
        more = ", ..." if len(report.adapter_module_names) > 4 else ""
        out.append(("adapter modules", f"{report.adapter_modules} matched ({sample}{more})"))
    for rank in report.ranks:
        held = f", holds {_num(rank.local_trainable_params)}" if rank.local_trainable_params is not None else ""
        unit = "partitioned tensors" if rank.engine.startswith("zero") else "FSDP units"
        shards = f", {rank.shards} {unit}" if rank.shards else ""
        peak = f", peak {rank.peak_memory / 2**30:.2f} GiB" if rank.peak_memory else ""
        verdict = "ok" if rank.ok else "FAILED"
        out.append(
            (
                f"rank {rank.rank}/{rank.world_size} ({rank.engine})",
                f"{verdict}: trainable {_num(rank.trainable_params)}{held}{shards}{peak}",
            )
        )
    if report.libraries:
        versions = ", ".join(f"{name} {version}" for name, version in report.libraries.items())
        out.append(("verdict for", versions))
    if report.batch:
        out.append(("batch", report.batch))
    if report.losses:
        out.append(("loss", _loss(report.losses[0])))
        if report.final_loss is not None:
            out.append((f"loss after {len(report.losses)} steps", _loss(report.final_loss)))
    if report.grad_norm is not None:
        out.append(("gradient norm", f"{report.grad_norm:.5g}"))
    if report.grads is not None:
        g = report.grads
        verdict = "ok" if g.passed else "FAILED"
        detail = f"{g.ok} finite non-zero"
        if g.zero_by_design:
            detail += (
                f", {g.zero_by_design} zero by design (LoRA A while B is zero, a value head's bias in a pairwise loss)"
            )
        if g.unverified:
            detail += f", {g.unverified} present but unverifiable on meta"
        bad = len(g.missing) + len(g.non_finite) + len(g.zero)
        if bad:
            detail += f", {bad} missing/non-finite/zero"
        detail += f"; frozen with gradient: {len(g.frozen_with_grad)}"
        out.append(("gradients", f"{verdict}: {g.trainable} trainable tensors: {detail}"))
    if report.load_time is not None:
        out.append(("load time", f"{report.load_time:.2f} s"))
    if report.step_times:
        times = report.step_times
        text = f"{times[0]:.3f} s" + (f" first, {min(times[1:]):.3f} s fastest after" if len(times) > 1 else "")
        out.append(("step time", text))
    if report.peak_memory is not None:
        out.append(("peak memory", f"{_bytes(report.peak_memory)} ({report.peak_memory_source})"))
    if report.estimate is not None:
        out.append(("estimate", f"{_bytes(report.estimate)} ({report.estimate_source})"))
    if report.tool_estimate is not None:
        trainable = report.tool_estimate_trainable
        also = f", {trainable:,} trainable" if trainable else ""
        out.append(("lorachecks estimate", f"{_bytes(report.tool_estimate)} peak per GPU{also}"))
    if report.saved:
        out.append(("save", report.saved))
    return out


def render_text(report: Report, out: TextIO, color: bool = False) -> None:
    from lorachecks.report import Run
    from lorachecks.report.text_format import render as render_diagnostics

    table = rows(report)
    if color:
        from rich.console import Console
        from rich.table import Table

        grid = Table(title="lorachecks dry-run", show_header=False, title_justify="left")
        grid.add_column(style="bold")
        grid.add_column()
        for label, value in table:
            grid.add_row(label, value)
        Console(file=out, force_terminal=True, highlight=False).print(grid)
    else:
        width = max(len(label) for label, _ in table)
        for label, value in table:
            out.write(f"{label:<{width}}  {value}\n")
    for note in report.notes:
        out.write(f"note: {note}\n")
    if report.diagnostics:
        from lorachecks.core.diagnostics import FileResult

        result = FileResult(
            path=report_path(report), status="checked", diagnostics=sorted(report.diagnostics, key=Diagnostic.sort_key)
        )
        _render_only_diagnostics(render_diagnostics, Run(files=[result], color=color), out)
    out.write(f"dry-run {'passed' if report.ok else 'FAILED'}\n")


def report_path(report: Report) -> Any:
    from pathlib import Path

    return Path(report.config)


def _render_only_diagnostics(render: Callable[[Any, TextIO], None], run: Any, out: TextIO) -> None:
    """Reuse the lint text format for the diagnostics, without its file summary line."""
    import io

    buffer = io.StringIO()
    render(run, buffer)
    lines = buffer.getvalue().splitlines()
    out.write("\n".join(line for line in lines if not line.startswith("Checked ")) + "\n")

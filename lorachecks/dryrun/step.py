"""The training step shared by language and diffusion models: device, gradients, timing.

Imports torch; only `lorachecks dry-run` reaches this module.
"""

from __future__ import annotations

import itertools
import math
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch

from lorachecks.core.records import field, record
from lorachecks.dryrun.config import DryRunError, Plan
from lorachecks.dryrun.report import GradCheck, Report

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
LossFn = Callable[[torch.nn.Module], torch.Tensor]


@record(slots=True)
class Choice:
    device: str
    reason: str


def available_ram() -> int:
    """Bytes of memory available to a new allocation (MemAvailable), 0 when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 0


def size_step(report: Report, total: int, trainable: int, dtype: torch.dtype) -> int:
    """Bytes the step needs on its device, recorded on the report as its estimate.

    Weights in ``dtype``, fp32 gradients and two AdamW states per trainable parameter, and
    the activations `lorachecks estimate` counts for the config (mostly 16-bit there: scaled
    to ``dtype``'s width). Without them a long batch on a small model looks tiny and `auto`
    would start a CPU step that cannot fit.
    """
    width = int(torch.tensor([], dtype=dtype).element_size())
    need = total * width + trainable * (4 + 8)
    source = "weights + fp32 gradients + AdamW states"
    if report.tool_estimate_activations:
        need += report.tool_estimate_activations * width // 2
        source += f" + activations (lorachecks estimate's, at {width} bytes per value)"
    else:
        source += "; activations unknown, not counted"
    report.estimate, report.estimate_source = need, source
    return need


def choose_device(requested: str, need: int) -> Choice:
    """Resolve ``auto``; refuse a load that would not fit (DR004, DR106)."""
    cuda = torch.cuda.is_available()
    ram = available_ram()
    if requested == "meta":
        return Choice("meta", "requested: shapes, dtypes and parameter counts only, no weights loaded")
    gpu_free = torch.cuda.mem_get_info()[0] if cuda else 0
    if requested == "cuda":
        if not cuda:
            raise DryRunError("DR004", "--device cuda, but torch sees no CUDA device", None, "use --device cpu or meta")
        if need > 0.9 * gpu_free:
            raise DryRunError(
                "DR106",
                f"the model needs about {gib(need)} on the GPU but {gib(gpu_free)} is free",
                None,
                "use --device meta to check shapes and targets without loading weights",
            )
        return Choice("cuda", f"requested ({torch.cuda.get_device_name(0)}, {gib(gpu_free)} free)")
    if requested == "cpu":
        if ram and need > 0.9 * ram:
            raise DryRunError(
                "DR106",
                f"the model needs about {gib(need)} for a CPU step but {gib(ram)} is available",
                None,
                "use --device meta to check shapes and targets without loading weights",
            )
        return Choice("cpu", "requested")
    if cuda and need <= 0.8 * gpu_free:
        return Choice("cuda", f"auto: {torch.cuda.get_device_name(0)} with {gib(gpu_free)} free for about {gib(need)}")
    if ram and need <= 0.5 * ram:
        why = f"the GPU has only {gib(gpu_free)} free" if cuda else "no CUDA device"
        return Choice("cpu", f"auto: {why}; the step needs about {gib(need)} of {gib(ram)} free RAM")
    gpu = f"the GPU has {gib(gpu_free)} free" if cuda else "no CUDA device"
    return Choice(
        "meta",
        f"auto: the step needs about {gib(need)}: {gpu}, and that is more than half of {gib(ram)} free RAM; "
        "meta checks shapes and targets without loading weights",
    )


def gib(n: int | float) -> str:
    return f"{n / 2**30:.2f} GiB"


def cpu_peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def count(model: torch.nn.Module) -> tuple[int, int]:
    total = trainable = 0
    for param in model.parameters():
        size = getattr(param, "ds_numel", None) or param.numel()  # a ZeRO-3 partition: its whole size
        total += size
        if param.requires_grad:
            trainable += size
    return total, trainable


def named_trainable(model: torch.nn.Module) -> Iterator[tuple[str, torch.nn.Parameter]]:
    for name, param in model.named_parameters():
        if param.requires_grad:
            yield name, param


def _zero_by_design(name: str, params: dict[str, torch.nn.Parameter]) -> bool:
    """LoRA's A matrix gets a zero gradient while its B matrix is still all zeros; a value
    head's bias cancels out of a pairwise ranking loss (chosen minus rejected score)."""
    if name == "v_head.bias":
        return True
    if ".lora_A." not in name:
        return False
    partner = params.get(name.replace(".lora_A.", ".lora_B."))
    return partner is not None and partner.device.type != "meta" and not bool(partner.detach().any())


def check_gradients(
    model: torch.nn.Module, grad_of: Callable[[torch.nn.Parameter], torch.Tensor | None] = lambda p: p.grad
) -> GradCheck:
    """Each parameter's gradient judged; ``grad_of`` reads it (DeepSpeed gathers partitioned ones)."""
    params = dict(model.named_parameters())
    check = GradCheck()
    for name, param in params.items():
        if not param.requires_grad:
            if param.grad is not None:
                check.frozen_with_grad.append(name)
            continue
        check.trainable += 1
        grad = grad_of(param)
        if grad is None:
            check.missing.append(name)
        elif grad.device.type == "meta":
            check.unverified += 1
        elif not bool(torch.isfinite(grad).all()):
            check.non_finite.append(name)
        elif not bool(grad.any()):
            if _zero_by_design(name, params):
                check.zero_by_design += 1
            else:
                check.zero.append(name)
        else:
            check.ok += 1
    return check


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


@record(slots=True)
class StepResult:
    losses: list[float | None] = field(default_factory=list)
    final_loss: float | None = None
    grad_norm: float | None = None
    step_times: list[float] = field(default_factory=list)
    grads: GradCheck | None = None


def train_steps(model: torch.nn.Module, plan: Plan, device: str, steps: int, loss_fn: LossFn) -> StepResult:
    """Forward, backward and AdamW step ``steps`` times on one batch; failures become DR3xx."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        key = "freeze_trainable_layers" if plan.finetuning_type == "freeze" else plan.target_key
        raise DryRunError("DR204", "no parameter is trainable: the optimizer would have nothing to update", key)
    # foreach batches the per-tensor updates: on meta that saves a third of the step's time.
    foreach = True if device == "meta" else None
    optimizer = torch.optim.AdamW(trainable, lr=plan.learning_rate, weight_decay=plan.weight_decay, foreach=foreach)
    model.train()
    result = StepResult()
    for step in range(steps):
        sync(device)
        start = time.perf_counter()
        loss = guarded(lambda: loss_fn(model), plan)
        guarded(loss.backward, plan)
        if step == 0:
            result.grads = check_gradients(model)
        norm = _grad_norm(trainable, plan.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        sync(device)
        result.step_times.append(time.perf_counter() - start)
        result.losses.append(None if loss.device.type == "meta" else float(loss.detach().float()))
        if step == 0:
            result.grad_norm = norm
    if steps > 1 and device != "meta":
        with torch.no_grad():
            result.final_loss = float(guarded(lambda: loss_fn(model), plan).detach().float())
    return result


def _losses(values: list[float]) -> str:
    return ", ".join(f"{v:.4g}" for v in values)


def _grad_norm(params: list[torch.nn.Parameter], max_norm: float) -> float | None:
    grads = [p for p in params if p.grad is not None]
    if not grads or grads[0].device.type == "meta":
        return None
    if max_norm > 0:
        norm = torch.nn.utils.clip_grad_norm_(grads, max_norm)
    else:
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad.float()) for p in grads]))  # type: ignore[union-attr]
    return None if norm.device.type == "meta" else float(norm)


def guarded(call: Callable[[], Any], plan: Plan) -> Any:
    try:
        return call()
    except torch.OutOfMemoryError as exc:
        raise DryRunError(
            "DR306",
            f"out of memory during the step: {_first_line(exc)}",
            plan.batch_key,
            "lower the batch size or sequence length, enable gradient checkpointing, or check with --device meta",
        ) from None
    except RuntimeError as exc:
        if "does not require grad" not in str(exc):
            raise DryRunError(
                "DR301",
                f"the step failed: {type(exc).__name__}: {_first_line(exc)}",
                plan.precision_key or plan.model_key,
            ) from None
        # The loss reaches no trainable tensor: the trainer's first backward fails the same way.
        key = plan.target_key if plan.finetuning_type in ("lora", "oft") else "finetuning_type"
        raise DryRunError(
            "DR303",
            "the loss depends on no trainable parameter (the trainable ones are not used by this batch): "
            "backward fails, as the trainer's first step does",
            key,
            "train modules the forward pass uses (a multimodal model's vision tower is unused on text data)",
        ) from None
    except (ValueError, TypeError, IndexError) as exc:
        raise DryRunError(
            "DR301", f"the step failed: {type(exc).__name__}: {_first_line(exc)}", plan.precision_key or plan.model_key
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:400] if text else type(exc).__name__


def verdicts(report: Report, plan: Plan, result: StepResult) -> None:
    """Turn the step's numbers into DR302-DR305 findings on the report."""
    grads = result.grads
    first = result.losses[0] if result.losses else None
    if first is not None and not math.isfinite(first):
        report.fail(
            "DR302", f"the loss is {first}", plan.precision_key or plan.lr_key, "check precision and learning rate"
        )
    if grads is not None:
        bad = grads.missing + grads.non_finite + grads.zero
        if bad:
            what = "no" if grads.missing else "a non-finite or zero"
            report.fail(
                "DR303",
                f"{len(bad)} trainable parameter(s) got {what} gradient, e.g. {', '.join(bad[:3])}",
                plan.target_key if plan.finetuning_type in ("lora", "oft") else "finetuning_type",
                plan.inert
                or "a module the loss does not depend on (unused head, detached branch) or a non-finite forward",
                error=plan.inert is None or bool(grads.non_finite),
            )
        if grads.frozen_with_grad:
            report.fail(
                "DR304",
                f"{len(grads.frozen_with_grad)} frozen parameter(s) received a gradient, e.g. {grads.frozen_with_grad[0]}",
                "finetuning_type",
            )
    last = result.final_loss
    trend = [x for x in [*result.losses, last] if x is not None and math.isfinite(x)]
    rises = [(a, b) for a, b in itertools.pairwise(trend) if b > a * 1.05]
    if first is not None and last is not None and last < first and len(trend) >= 3 and rises:
        # Lower at the end than at the start, but not falling all the way: an overshooting
        # learning rate bounces on a batch it should simply overfit.
        a, b = rises[-1]
        report.fail(
            "DR305",
            f"the loss rose during the steps on the same batch ({a:.5f} -> {b:.5f}; losses {_losses(trend)})",
            plan.lr_key,
            "on one repeated batch the loss should keep falling: a learning rate too high overshoots",
            error=plan.precision == "fp32" and plan.inert is None and trend[-1] > min(trend) * 1.05,
        )
    if first is not None and last is not None and math.isfinite(first) and not last < first:
        # A flat loss in bf16/fp16 can be rounding of tiny updates: a warning there, an error in fp32.
        severity_error = (last > first or plan.learning_rate <= 0 or plan.precision == "fp32") and plan.inert is None
        report.fail(
            "DR305",
            f"the loss did not fall over {len(result.losses)} step(s) on the same batch ({first:.5f} -> {last:.5f})",
            plan.lr_key,
            "a zero learning rate or frozen adapter stops learning; a learning rate too high makes the loss rise; "
            "in bf16/fp16 tiny updates can round away: try more --steps",
            error=severity_error,
        )

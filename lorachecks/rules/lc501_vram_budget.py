"""The estimated peak GPU memory of the run exceeds the memory budget.

The estimate (weights, adapters, gradients, optimizer states, activations at the
configured batch and length, overhead; see `lorachecks estimate`) is compared with the
budget. Over the budget is an error, within 10 % of it a warning: the estimate's expected
error is about 15-25 %. Nothing is reported without a budget; with one, a model of unknown
size gets a note saying so instead of a guess. The finding is on the model's key.

Why it matters: an out-of-memory error arrives minutes into a job, after the model has
downloaded and loaded.

Example, bad (`--gpu-memory 24GB`):

    model_name_or_path: meta-llama/Llama-3.1-8B
    finetuning_type: full

Good:

    model_name_or_path: meta-llama/Llama-3.1-8B
    finetuning_type: lora
    quantization_bit: 4

Options: `--gpu-memory` (configuration `gpu-memory`, GiB per GPU) turns the rule on;
`--gpus` (`gpus`) is the GPU count that ZeRO-3 / FSDP shard over.

Trainer source: none of the trainers checks memory ahead; PyTorch's CUDA caching allocator
raises `torch.OutOfMemoryError` when a request cannot be served.

When the trainer stops: when the model loads (the weights alone do not fit), or at the
first training step (gradients, optimizer states, activations).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import estimate, lookup, model_key, plan
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC501"
NAME = "vram-budget"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "kohya", "lora-scripts")


def _advice(ctx: RuleContext, kind: str) -> str:
    """What would lower the peak, leaving out what the config does already."""
    run = plan(ctx)
    data = ctx.data
    options: list[str] = []
    if kind == "llm":
        if run.method == "full":
            options.append("LoRA (finetuning_type: lora)")
        if run.method in ("lora", "oft", "full") and lookup(data, "quantization_bit") is None:
            options.append(
                "QLoRA (finetuning_type: lora, quantization_bit: 4)"
                if run.method == "full"
                else "QLoRA (quantization_bit: 4)"
            )
        if run.batch > 1:
            options.append("a smaller per_device_train_batch_size (more gradient_accumulation_steps keep the batch)")
        options.append("a shorter cutoff_len")
        if lookup(data, "disable_gradient_checkpointing"):
            options.append("gradient checkpointing (remove disable_gradient_checkpointing)")
        if not lookup(data, "deepspeed"):
            options.append("DeepSpeed ZeRO-3 over several GPUs")
    else:
        if not lookup(data, "gradient_checkpointing"):
            options.append("gradient_checkpointing")
        if not lookup(data, "cache_latents"):
            options.append("cache_latents")
        if "8bit" not in run.optimizer.lower():
            options.append("an 8-bit optimizer (AdamW8bit)")
        if not lookup(data, "fp8_base"):
            options.append("fp8_base")
        if run.batch > 1:
            options.append("a smaller batch size")
    if len(options) == 1:
        return f"try {options[0]}"
    return f"try {', '.join(options[:-1])} or {options[-1]}"


def check(ctx: RuleContext) -> Iterator[Finding]:
    budget = ctx.settings.gpu_memory_gib
    if budget is None or budget <= 0:
        return
    est = estimate(ctx)
    total = est.total_gib
    where = model_key(ctx)
    if total is None:
        yield Finding(
            f"no memory estimate: {est.model_source}",
            where,
            "point the model at a local folder with config.json, or check the budget with the hub's model card",
            severity=Severity.INFO,
        )
        return
    gpus = f" x {est.gpus} GPUs" if est.gpus > 1 else ""
    sharded = any(ctx.data.get(k) for k in ("deepspeed", "fsdp"))
    if sharded and est.gpus == 1:
        gpus += " (estimated for 1 GPU: pass --gpus N for the DeepSpeed/FSDP sharding)"
    if total > budget:
        yield Finding(
            f"run does not fit: estimated peak {total:.1f} GiB per GPU, budget {budget:g} GiB{gpus}",
            where,
            f"{est.summary()}; {_advice(ctx, est.kind)}",
        )
    elif total > 0.9 * budget:
        yield Finding(
            f"run may not fit: estimated peak {total:.1f} GiB is within 10 % of the {budget:g} GiB budget{gpus}",
            where,
            f"{est.summary()}; the estimate can be off by 15-25 %",
            severity=Severity.WARNING,
        )

"""The effective batch is larger than the dataset: one optimizer step sees all of it.

Why it matters: effective batch = per-device batch x gradient accumulation x GPUs. When
it exceeds the number of examples (images x repeats for kohya), every epoch is a single
optimizer step (or the trainer rounds up to one), so the scheduler, warmup and learning
rate act on a handful of updates. The GPU count is `--gpus` (default 1); samples are
counted from local data only.

Example, bad (12 examples):

    per_device_train_batch_size: 4
    gradient_accumulation_steps: 8

Good:

    per_device_train_batch_size: 2
    gradient_accumulation_steps: 2
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, plan
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC505"
NAME = "effective-batch"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory", "kohya", "lora-scripts")


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return
    p = plan(ctx)
    gpus = ctx.settings.gpus
    effective = p.effective_batch(gpus)
    if p.invalid or p.samples is None or effective <= p.samples:
        return
    yield Finding(
        f"effective batch {effective} ({p.batch} x {p.accumulation} accumulation x {gpus} GPU) exceeds the "
        f"{p.samples} samples: each epoch is one optimizer step",
        key_of(ctx, "gradient_accumulation_steps", p.batch_key),
        f"lower the batch or accumulation (assumed: {p.samples_note}; {gpus} GPU(s), set --gpus)",
        at="value",
    )

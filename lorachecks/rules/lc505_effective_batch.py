"""The effective batch is larger than the dataset: one optimizer step sees all of it.

Effective batch = per-device batch x gradient accumulation x GPUs; samples are counted from
local data only (images x repeats for kohya).

Why it matters: when the effective batch exceeds the number of examples, every epoch is a
single optimizer step (or the trainer rounds up to one), so the scheduler, warmup and
learning rate act on a handful of updates.

Example, bad (12 examples):

    per_device_train_batch_size: 4
    gradient_accumulation_steps: 8

Good:

    per_device_train_batch_size: 2
    gradient_accumulation_steps: 2

Options: `--gpus` (configuration `gpus`, default 1) is the GPU count; `--no-path-checks`
turns the rule off (the data are not counted).

Trainer source: transformers `trainer.py` `Trainer.set_initial_training_values`
(`num_update_steps_per_epoch`: an epoch's batches divided by the accumulation, rounded up,
at least 1; transformers 5.6.0); sd-scripts `train_network.py` `NetworkTrainer.train`
(`ceil(len(train_dataloader) / gradient_accumulation_steps)`).

When the trainer stops: it does not; the run trains, only worse than it could.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
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

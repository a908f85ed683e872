"""Too few optimizer steps, or so many epochs over a small dataset that it is memorised.

Total steps = ceil(samples / (batch x GPUs)) / accumulation x epochs (or `max_steps`);
samples are counted from local data only.

Why it matters: under 10 steps the learning-rate schedule and warmup are meaningless and
the adapter barely moves; more than 20 passes over the same text examples (through
`num_train_epochs` or a large `max_steps`) overfits; a `warmup_steps` at or above the
total never reaches the peak learning rate.

Example, bad (16 examples):

    per_device_train_batch_size: 4
    num_train_epochs: 1.0

Good:

    per_device_train_batch_size: 1
    num_train_epochs: 3.0

Options: `--gpus` (configuration `gpus`) is the GPU count; `--no-path-checks` turns the
rule off (the data are not counted).

Trainer source: transformers `trainer.py` `Trainer.set_initial_training_values` (the
step count) and `optimization.py` `get_scheduler` (warmup); sd-scripts
`train_network.py` `NetworkTrainer.train` and `library/train_util.py`
`get_scheduler_fix`.

When the trainer stops: it does not; the run trains, only worse than it could.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, plan
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC506"
NAME = "total-steps"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory", "kohya", "lora-scripts")

MIN_STEPS = 10
MAX_TEXT_EPOCHS = 20.0


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return
    p = plan(ctx)
    gpus = ctx.settings.gpus
    total = p.total_steps(gpus)
    if p.invalid or total is None or p.samples is None:
        return
    assumed = f"assumed: {p.samples_note}; effective batch {p.effective_batch(gpus)} on {gpus} GPU(s)"
    where = key_of(ctx, p.max_steps_key, p.epochs_key, p.batch_key)
    if total < MIN_STEPS:
        yield Finding(
            f"only {total} optimizer step(s) in the whole run",
            where,
            f"train more epochs or use a smaller effective batch ({assumed})",
            at="value",
        )
        return
    if p.family == "llm" and p.samples:
        epochs = total * p.effective_batch(gpus) / p.samples
        if epochs > MAX_TEXT_EPOCHS:
            yield Finding(
                f"{total} steps make about {epochs:.0f} passes over {p.samples} examples: the model will memorise them",
                where,
                f"{MAX_TEXT_EPOCHS:g} epochs or fewer is usual for fine-tuning ({assumed})",
                at="value",
            )
    warmup = ctx.data.get("warmup_steps") if p.family == "llm" else ctx.data.get("lr_warmup_steps")
    if isinstance(warmup, int) and not isinstance(warmup, bool) and warmup >= total:
        yield Finding(
            f"warmup of {warmup} steps is not shorter than the {total} steps of the run",
            key_of(ctx, "warmup_steps", "lr_warmup_steps"),
            f"the learning rate never reaches its peak; use a warmup under {total} steps ({assumed})",
            at="value",
        )

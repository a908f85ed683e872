"""What the data set amounts to: images, captions, repeats and the total step count.

Reported as a note on `train_data_dir` (or each `[[datasets]]` table, or `metadata_path`),
with path checks on.

Why it matters: the step count is what the run costs, and it follows from the data, not
from the config alone: total steps = ceil(images x repeats / batch / accumulation) x
epochs. A folder named `100_x` instead of `10_x`, or a forgotten `max_train_epochs`, shows
up here as a number ten times too large (or small) before a GPU is booked.

Example: `train/10_chara` with 20 images, batch 2, 10 epochs -> 100 steps per epoch,
1000 steps in all.

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: sd-scripts `train_network.py` `NetworkTrainer.train` computes the same
count (`len(train_dataloader)`, divided by `gradient_accumulation_steps`, times the
epochs) and logs it at start-up; lora-scripts has no public implementation.

When the trainer stops: it does not; this is a summary, not a problem.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats import effective
from lorachecks.formats.effective import Effective
from lorachecks.formats.kohya.data import sources
from lorachecks.formats.sd_data import local_path, read_jsonl, total_steps
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.lc401_metadata_csv import metadata

CODE = "LC406"
NAME = "dataset-summary"
SEVERITY = Severity.INFO
FORMATS = ("lora-scripts", "kohya", "kohya-dataset")


def _positive(values: Effective, name: str) -> int:
    """A positive whole number as written, else the trainer's default (a refused value is LC104/LC106's)."""
    value = values[name]
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else values.default(name)


def _lora_scripts(ctx: RuleContext) -> Iterator[Finding]:
    values = effective.lora_scripts(ctx.data)
    batch = _positive(values, "batch_size")
    epochs = _positive(values, "epochs")
    cap = ctx.data.get("max_train_steps")
    if ctx.data.get("task_type") == "text-generation":
        path = local_path(ctx, "metadata_path")
        report = read_jsonl(path) if path is not None and path.is_file() else None
        if report is None or isinstance(report, str):
            return
        samples, what = report.records, f"{report.records} record(s)"
    else:
        parsed = metadata(ctx)
        path = local_path(ctx, "metadata_path")
        if parsed is None or path is None:
            return
        folder = local_path(ctx, "train_data_dir") or path.parent
        present = [caption for _, name, caption in parsed.rows if name and (folder / name).is_file()]
        samples = len(present)
        captions = sum(1 for caption in present if caption.strip())
        what = f"{samples} image(s), {captions} caption(s)"
    steps = total_steps(samples, batch, 1, epochs)
    capped = f"; max_train_steps stops it at {cap}" if isinstance(cap, int) and cap < steps else ""
    yield Finding(
        f"data: {what}; batch {batch}, {epochs} epoch(s) -> {steps} step(s){capped}", "metadata_path", at="value"
    )


def _kohya(ctx: RuleContext) -> Iterator[Finding]:
    found = sources(ctx)
    if not found:
        return
    assert ctx.format is not None
    if ctx.format.name == "kohya":
        images = sum(len(s.folder.images) for s in found)
        captions = images - sum(len(s.folder.missing_captions) for s in found)
        samples = sum(len(s.folder.images) * (s.folder.repeats or 1) for s in found)
        repeats = ", ".join(f"{s.folder.path.name} x{s.folder.repeats}" for s in found[:4])
        values = effective.kohya(ctx.data)
        batch = _positive(values, "train_batch_size")
        accumulation = _positive(values, "gradient_accumulation_steps")
        per_epoch = total_steps(samples, batch, accumulation, 1)
        epochs = ctx.data.get("max_train_epochs")
        if isinstance(epochs, int) and epochs > 0:
            plan = f"{per_epoch} step(s) per epoch x {epochs} epoch(s) = {per_epoch * epochs} step(s)"
        else:
            limit = _positive(values, "max_train_steps")
            plan = f"{per_epoch} step(s) per epoch; max_train_steps {limit} = about {limit / max(per_epoch, 1):.1f} epoch(s)"
        yield Finding(
            f"data: {images} image(s), {captions} caption(s), {samples} samples with repeats ({repeats});"
            f" batch {batch}, accumulation {accumulation}: {plan}",
            "train_data_dir",
            at="value",
        )
        return
    by_dataset: dict[int, list[int]] = {}
    for source in found:
        entry = by_dataset.setdefault(source.dataset, [0, 0, source.batch])
        entry[0] += len(source.folder.images)
        entry[1] += len(source.folder.images) * (source.folder.repeats or 1)
    for index, (images, samples, batch) in sorted(by_dataset.items()):
        yield Finding(
            f"dataset {index + 1}: {images} image(s), {samples} samples with repeats; batch {batch}:"
            f" {total_steps(samples, batch, 1, 1)} step(s) per epoch (before gradient accumulation)",
            ("datasets", index),
        )


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks or ctx.format is None:
        return
    if ctx.format.name == "lora-scripts":
        yield from _lora_scripts(ctx)
    else:
        yield from _kohya(ctx)

"""`resolution` is not "W" / "W,H", or not a multiple of 64.

Reads `resolution` the way the trainer does: a kohya training config's text
("512", "768,512"), each [[datasets]] entry's value in a dataset config (its own, else
[general]'s: an integer or `[W, H]`), lora-scripts' integer. It reports text sd-scripts
cannot read, a size that is not positive, and sizes that are not multiples of 64.

Why it matters: anything but "W" or "W,H" in a training config stops sd-scripts at
start-up, and so does a size of 0 or less. Sizes that are not multiples of 64 do not fit
the latent grid well, so images are cropped to other sizes than you expect (a warning for
sd-scripts; an error in lora-scripts, whose schema is strict).

Example, bad:

    resolution = "512x512"

Good:

    resolution = "512,512"

Trainer source: sd-scripts `train_util.prepare_dataset_args` turns the training config's
text into integers; a dataset config's value goes through `config_util.ConfigSanitizer`.

When the trainer stops: at start-up, while it reads the arguments, before the model loads
(text it cannot read, a size that is not positive); a size off the 64 grid trains.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import dataset_findings, kohya_findings, lora_scripts_findings
from lorachecks.suggest import show

if TYPE_CHECKING:  # the schemas are imported by the format that validates a file, not here
    from lorachecks.formats.kohya.dataset_schema import DatasetBase
    from lorachecks.formats.kohya.values import KohyaValues
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig
    from lorachecks.loader import KeyPath

CODE = "LC311"
NAME = "resolution"
SEVERITY = Severity.ERROR
FORMATS = ("lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    if ctx.format.name == "kohya":
        yield from kohya_findings(ctx, _training)
    elif ctx.format.name == "kohya-dataset":
        yield from dataset_findings(ctx, _datasets)
    else:
        yield from lora_scripts_findings(ctx, _lora_scripts)


def _training(config: KohyaValues) -> Iterator[Finding]:
    value = config.resolution
    if value is None:
        return
    pair = config.resolution_pair
    if pair is None:
        yield Finding(
            f'`resolution` {value!r} is not "W" or "W,H": sd-scripts stops reading it',
            "resolution",
            'write `resolution = "512"` or `resolution = "768,512"`',
        )
    elif min(pair) <= 0:
        yield Finding(f"`resolution` {value!r} must be positive", "resolution")
    elif pair[0] % 64 or pair[1] % 64:
        yield _off_grid(repr(value), "resolution")


def _datasets(config: DatasetBase) -> Iterator[Finding]:
    for dataset in config.dataset_entries():
        resolution = dataset.resolution
        if resolution is not None:
            raw, pair, anchor = resolution
            if pair[0] % 64 or pair[1] % 64:
                yield _off_grid(show(raw), anchor)


def _off_grid(shown: str, key: str | KeyPath) -> Finding:
    return Finding(
        f"`resolution` {shown} is not a multiple of 64: images are cropped to other sizes than you expect",
        key,
        "use 512, 768 or 1024 (or another multiple of 64)",
        severity=Severity.WARNING,
    )


def _lora_scripts(config: LoraScriptsConfig) -> Iterator[Finding]:
    if config.is_set("resolution") and config.resolution % 64 and not config.is_text:
        yield Finding(
            f"`resolution` {config.resolution} is not a multiple of 64",
            "resolution",
            f"use {max(64, round(config.resolution / 64) * 64)}",
        )

"""A `resolution` that is not a multiple of 64.

Reads the resolution the way the trainer does (a kohya training config's "W" / "W,H", each
[[datasets]] entry's own value else [general]'s, lora-scripts' integer) and reports sides
that are not multiples of 64. Split from LC311, which still selects it (`--select LC311`,
`disable=LC311`): LC311 is what stops sd-scripts, this is what trains differently.

Why it matters: images are resized and cropped to the training size, and the latents are
1/8 of it; sizes off the 64 grid do not fit the model's downsampling well, so images are
cropped to other sizes than you expect. sd-scripts trains anyway (a warning); lora-scripts'
schema, which lorachecks owns, requires the multiple (an error).

Example, bad:

    resolution = "500"

Good:

    resolution = "512"

Trainer source: sd-scripts `train_util.prepare_dataset_args` reads the training config's
size, `config_util.ConfigSanitizer` a dataset config's; neither checks the 64 grid.
lora-scripts has no public implementation (docs/formats/lora-scripts.md).

When the trainer stops: sd-scripts does not, it trains at the size given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.core.suggest import show
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import dataset_findings, kohya_findings, lora_scripts_findings

if TYPE_CHECKING:  # the schemas are imported by the format that validates a file, not here
    from lorachecks.formats.kohya.dataset_schema import DatasetBase
    from lorachecks.formats.kohya.values import KohyaValues
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig
    from lorachecks.loader import KeyPath

CODE = "LC332"
NAME = "resolution-off-grid"
SEVERITY = Severity.WARNING
FORMATS = ("lora-scripts", "kohya", "kohya-dataset")
ALIASES = ("LC311",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    if ctx.format.name == "kohya":
        yield from kohya_findings(ctx, _training)
    elif ctx.format.name == "kohya-dataset":
        yield from dataset_findings(ctx, _datasets)
    else:
        yield from lora_scripts_findings(ctx, _lora_scripts)


def _training(config: KohyaValues) -> Iterator[Finding]:
    pair = config.resolution_pair
    if pair is not None and min(pair) > 0 and (pair[0] % 64 or pair[1] % 64):  # else LC311's
        yield _off_grid(repr(config.resolution), "resolution")


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
    )


def _lora_scripts(config: LoraScriptsConfig) -> Iterator[Finding]:
    if config.is_set("resolution") and config.resolution % 64 and not config.is_text:
        yield Finding(
            f"`resolution` {config.resolution} is not a multiple of 64",
            "resolution",
            f"use {max(64, round(config.resolution / 64) * 64)}",
            severity=Severity.ERROR,  # the schema lorachecks owns requires it
        )

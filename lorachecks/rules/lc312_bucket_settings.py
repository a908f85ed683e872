"""Aspect-ratio bucket bounds that do not contain the resolution.

With `enable_bucket`, compares `min_bucket_reso` and `max_bucket_reso` (their defaults 256
and 1024 when unset) with the resolution's sides, in a training config and in each
[[datasets]] entry of a dataset config (its own values, else [general]'s). A
`bucket_reso_steps` off the latent grid is LC333, which `--select LC312` still includes.

Why it matters: sd-scripts refuses to start when `min_bucket_reso` is larger than the
resolution's smaller side or `max_bucket_reso` smaller than its larger side, so
`resolution = "1280"` alone fails.

Example, bad:

    resolution = "1024,1024"
    enable_bucket = true
    max_bucket_reso = 768

Good:

    resolution = "1024,1024"
    enable_bucket = true
    max_bucket_reso = 2048

Trainer source: sd-scripts `train_util.BaseDataset.adjust_min_max_bucket_reso_by_steps`
asserts the bounds when the datasets are built.

When the trainer stops: at start-up, when it builds the datasets, before the model loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import dataset_findings, kohya_findings

if TYPE_CHECKING:  # the schemas are imported by the format that validates a file, not here
    from lorachecks.formats.kohya.dataset_schema import DatasetBase
    from lorachecks.formats.kohya.values import KohyaValues
    from lorachecks.loader import KeyPath

CODE = "LC312"
NAME = "bucket-settings"
SEVERITY = Severity.ERROR
FORMATS = ("kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    if ctx.format.name == "kohya":
        yield from kohya_findings(ctx, _training)
    else:
        yield from dataset_findings(ctx, _datasets)


def _training(config: KohyaValues) -> Iterator[Finding]:
    pair = config.resolution_pair
    if config.enable_bucket and pair is not None and min(pair) > 0:
        yield from _bounds(
            pair,
            config.min_bucket_reso,
            config.max_bucket_reso,
            "min_bucket_reso" if config.is_set("min_bucket_reso") else "resolution",
            "max_bucket_reso" if config.is_set("max_bucket_reso") else "resolution",
        )


def _datasets(config: DatasetBase) -> Iterator[Finding]:
    for dataset in config.dataset_entries():
        resolution = dataset.resolution
        if resolution is None or not dataset.get("enable_bucket"):
            continue
        _, pair, anchor = resolution
        yield from _bounds(
            pair,
            dataset.size("min_bucket_reso"),
            dataset.size("max_bucket_reso"),
            (*dataset.path, "min_bucket_reso") if "min_bucket_reso" in dataset.options else anchor,
            (*dataset.path, "max_bucket_reso") if "max_bucket_reso" in dataset.options else anchor,
        )


def _bounds(
    pair: tuple[int, int], low: int, high: int, low_key: str | KeyPath, high_key: str | KeyPath
) -> Iterator[Finding]:
    """The resolution's sides against the bucket bounds, each finding on the bound where it is
    written (else on the resolution)."""
    if low > min(pair):
        yield Finding(
            f"`min_bucket_reso` {low} is larger than the resolution's smaller side {min(pair)}: sd-scripts refuses it",
            low_key,
            f"set `min_bucket_reso` to {min(pair)} or less",
        )
    if high < max(pair):
        yield Finding(
            f"`max_bucket_reso` {high} is smaller than the resolution's larger side {max(pair)}: sd-scripts refuses it",
            high_key,
            f"set `max_bucket_reso` to {max(pair)} or more",
        )

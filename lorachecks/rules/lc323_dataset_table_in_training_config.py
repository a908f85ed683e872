"""`[[datasets]]` or `[[subsets]]` tables in a training config.

Reports dataset tables written into the training config (`--config_file`).

Why it matters: sd-scripts flattens the training config and never reads dataset tables
from it, so the images, repeats and resolutions written there are silently dropped and
training uses `train_data_dir` (or fails for lack of data).

Example, bad (in the training config):

    [[datasets]]
    resolution = 1024

Good: a separate `dataset.toml` passed with `--dataset_config dataset.toml`.

Trainer source: sd-scripts `train_util.read_config_from_file` flattens one level of tables,
so `[[datasets]]` arrays never reach `config_util`.

When the trainer stops: it does not stop; it trains without these tables (or stops for
lack of data when nothing else names any).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC323"
NAME = "dataset-table-in-training-config"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _dataset_tables)


def _dataset_tables(config: KohyaValues) -> Iterator[Finding]:
    if config.datasets is not None or config.subsets is not None:
        key = "datasets" if config.datasets is not None else "subsets"
        yield Finding(
            f"`[[{key}]]` tables in a training config are ignored: sd-scripts reads datasets only from"
            " --dataset_config",
            key,
            "move the [general]/[[datasets]] tables into a separate dataset config and pass"
            ' --dataset_config (or set `dataset_config = "dataset.toml"`)',
        )

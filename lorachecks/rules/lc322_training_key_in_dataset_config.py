"""A training option written in a dataset config.

Reports training options (`learning_rate`, `train_batch_size`...) at the top
of a dataset config or in any of its tables, where sd-scripts accepts only dataset options.

Why it matters: sd-scripts validates `--dataset_config` strictly and stops with "extra keys
not allowed" when it finds options such as `learning_rate` or `train_batch_size` there;
they belong in the training config or on the command line (the dataset config has its
own `batch_size`).

Example, bad:

    [general]
    learning_rate = 1e-4

Good:

    [general]
    shuffle_caption = true

Trainer source: sd-scripts `config_util.ConfigSanitizer` (voluptuous, extra keys not
allowed) refuses the file.

When the trainer stops: at start-up, when it reads the dataset config, before the model loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import dataset_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.dataset_schema import DatasetBase
    from lorachecks.loader import KeyPath

CODE = "LC322"
NAME = "training-key-in-dataset-config"
SEVERITY = Severity.ERROR
FORMATS = ("kohya-dataset",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from dataset_findings(ctx, _training_keys)


def _training_keys(config: DatasetBase) -> Iterator[Finding]:
    from lorachecks.formats.kohya.dataset_schema import key_kind

    for table in config.tables():
        for key in table.options:
            if key_kind(table.level, key) == "training":
                yield _refused(key, (*table.path, key))
    for key in config.training_keys:
        yield _refused(key, key)


def _refused(key: str, where: str | KeyPath) -> Finding:
    return Finding(
        f"`{key}` is a training option, not a dataset option: sd-scripts refuses the dataset config"
        " (extra keys not allowed)",
        where,
        "move it to the training config (--config_file) or the command line",
    )

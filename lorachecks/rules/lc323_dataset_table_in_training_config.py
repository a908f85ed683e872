"""`[[datasets]]` tables inside a training config (`--config_file`).

Why it matters: sd-scripts flattens the training config and never reads dataset tables
from it, so the images, repeats and resolutions written there are silently dropped and
training uses `train_data_dir` (or fails for lack of data).

In sd-scripts: `train_util.read_config_from_file` flattens one level of tables, so `[[datasets]]` arrays never reach `config_util`.

Example, bad (in the training config):

    [[datasets]]
    resolution = 1024

Good: a separate `dataset.toml` passed with `--dataset_config dataset.toml`.
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC323"
NAME = "dataset-table-in-training-config"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

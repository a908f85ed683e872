"""A training option written in a dataset config.

Why it matters: sd-scripts validates `--dataset_config` strictly and stops with "extra keys
not allowed" when it finds options such as `learning_rate` or `train_batch_size` there;
they belong in the training config or on the command line (the dataset config has its
own `batch_size`).

In sd-scripts: `config_util.ConfigSanitizer` (voluptuous, extra keys not allowed) refuses the file at start-up.

Example, bad:

    [general]
    learning_rate = 1e-4

Good:

    [general]
    shuffle_caption = true
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC322"
NAME = "training-key-in-dataset-config"
SEVERITY = Severity.ERROR
FORMATS = ("kohya-dataset",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

"""The DeepSpeed config named by `deepspeed` is missing or is not valid JSON.

Relative paths resolve from the launch directory.

Why it matters: the file is opened only when the distributed launch has already started
on every GPU. A typo in the path or a trailing comma in the JSON wastes the whole queue
wait.

Example, bad:

    deepspeed: examples/deepspeed/ds_z3_confg.json

Good:

    deepspeed: examples/deepspeed/ds_z3_config.json

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off for
configs linted away from their models and data; `--launch-dir` (`launch-dir`) is the folder
relative paths resolve from.

Trainer source: transformers `training_args.py` `TrainingArguments.__post_init__` builds
`HfTrainerDeepSpeedConfig` from the file (`integrations/deepspeed.py`), when LLaMA-Factory
`hparams/parser.py` `_parse_args` creates the training arguments.

When the trainer stops: at start-up, on every rank of the launch, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext, launch_note

CODE = "LC206"
NAME = "deepspeed-config"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    value = ctx.data.get("deepspeed")
    if value is None:
        return  # most configs: the DeepSpeed reader is not even imported
    from lorachecks.formats.llamafactory.deepspeed import deepspeed_config

    ds = deepspeed_config(ctx, value)
    if ds is not None and ds.error is not None:
        yield Finding(ds.error, "deepspeed", launch_note(ctx), at="value")

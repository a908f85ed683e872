"""A number is outside the range the trainer accepts.

`val_size` is a fraction below 1 or a whole sample count; counts such as batch sizes,
accumulation steps, ranks and epochs start at 1; learning rates are above 0.

Why it matters: a batch size, accumulation or LoRA rank of 0 crashes (ValueError,
ZeroDivisionError, "r should be a positive integer"); a negative learning rate is refused
by the optimizer.

Example, bad:

    gradient_accumulation_steps: 0
    learning_rate: -1.0e-4

Good:

    gradient_accumulation_steps: 8
    learning_rate: 1.0e-4

Trainer source: peft `tuners/lora/layer.py` `LoraLayer.update_layer` ("`r` should be a
positive integer value"), torch's optimizers ("Invalid learning rate"), the divisions of
transformers' `Trainer` by the batch and accumulation; sd-scripts `library/config_util.py`
`ConfigSanitizer` for dataset-config counts.

When the trainer stops: the optimizer's check when it is built, the rank when the adapter
is added after the model loads, a zero batch or accumulation when training starts.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC106"
NAME = "out-of-range"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    for key, value, errors in errors_of_kind(ctx, "range"):
        yield finding_for(ctx, key, value, errors)

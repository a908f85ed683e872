"""`fused_backward_pass` with an optimizer other than Adafactor, or with accumulation.

Why it matters: the fused backward pass steps the optimizer inside the backward pass; sd-scripts
only implements it for Adafactor and refuses gradient accumulation with it.

In sd-scripts: `train_util.get_optimizer` asserts it when the optimizer is built, after the model loads.

Example, bad:

    fused_backward_pass = true
    optimizer_type = "AdamW8bit"

Good:

    fused_backward_pass = true
    optimizer_type = "AdaFactor"
    gradient_accumulation_steps = 1
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC315"
NAME = "fused-backward-pass"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

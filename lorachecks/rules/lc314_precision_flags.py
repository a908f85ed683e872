"""`full_fp16` / `full_bf16` / `fp8_base` without the matching `mixed_precision`.

Why it matters: sd-scripts refuses `full_fp16` unless `mixed_precision = "fp16"`,
`full_bf16` unless it is `"bf16"`, and `fp8_base` without fp16 or bf16 mixed precision.

In sd-scripts: `NetworkTrainer.train` (train_network.py) asserts `full_fp16` / `full_bf16` against `mixed_precision` after the model loads.

Example, bad:

    mixed_precision = "bf16"
    full_fp16 = true

Good:

    mixed_precision = "bf16"
    full_bf16 = true
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC314"
NAME = "precision-flags"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

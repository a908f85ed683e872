"""Options that the trainer refuses to combine, or that a job of this kind cannot use.

Why it matters: LLaMA-Factory and transformers check these when the job starts and stop
with an error: `quantization_bit` with full fine-tuning, `fp16` with `bf16`, evaluation
without evaluation data, `val_size` together with `eval_dataset`, GaLore with LoRA, SFT-only
options in another stage, and about forty more. The message names both sides.

Example, bad:

    finetuning_type: full
    quantization_bit: 4

Good:

    finetuning_type: lora
    quantization_bit: 4
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC301"
NAME = "conflicting-options"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

"""A setting the job needs is missing.

Why it matters: the trainer checks these at start-up and stops ("Please provide
`model_name_or_path`", "Please specify dataset for training"), or silently falls back to a
default you did not choose (no `output_dir` writes to ./trainer_output).

Example, bad:

    do_train: true
    finetuning_type: lora

Good:

    model_name_or_path: Qwen/Qwen3-4B
    do_train: true
    finetuning_type: lora
    dataset: alpaca_en_demo
    output_dir: saves/qwen3-4b/lora
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC103"
NAME = "missing-required"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

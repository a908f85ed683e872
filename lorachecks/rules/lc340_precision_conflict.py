"""Two precision settings the trainer refuses together.

Reports `fp16` with `bf16`, `fp16_full_eval` with `bf16_full_eval`, and `fp8`
with `quantization_bit`.

Why it matters: a run computes in one precision. transformers refuses both half-precision
formats at once, and LLaMA-Factory refuses FP8 training of a quantized model; the job stops
before anything is loaded, after you have queued it.

Example, bad:

    fp16: true
    bf16: true

Good:

    bf16: true

Trainer source: transformers `TrainingArguments.__post_init__` refuses fp16 with bf16
(also for full eval); `get_train_args` (hparams/parser.py) refuses `fp8` with
`quantization_bit`.

When the trainer stops: at start-up, while it reads the arguments, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC340"
NAME = "precision-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.fp16 and config.bf16:
        yield Finding(
            "`fp16` and `bf16` are both true: transformers accepts at most one",
            "bf16",
            "keep `bf16: true` on Ampere or newer GPUs, `fp16: true` on older ones",
        )
    if config.fp16_full_eval and config.bf16_full_eval:
        yield Finding("`fp16_full_eval` and `bf16_full_eval` are both true", "bf16_full_eval", "keep one of them")
    if config.fp8 and config.quantization_bit is not None:
        yield Finding(
            "FP8 training cannot be combined with `quantization_bit`",
            "fp8",
            "remove one of `fp8` and `quantization_bit`",
        )

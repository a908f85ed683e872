"""A precision setting that does something other than it says, or none at all.

Reports `fp8_enable_fsdp_float8_all_gather` without `fp8` (a warning: the
trainer turns `fp8` on for you) and training with none of `bf16`, `fp16` or `pure_bf16`
(a note: the run computes in full fp32).

Why it matters: the run starts either way, but not as written: FP8 training you did not
ask for, or twice the activation memory and a slower run than mixed precision needs.

Example, bad:

    do_train: true
    fp8_enable_fsdp_float8_all_gather: true

Good:

    do_train: true
    bf16: true
    fp8: true
    fp8_enable_fsdp_float8_all_gather: true

Trainer source: `get_train_args` (hparams/parser.py) logs both ("requires fp8=True.
Setting fp8=True", "We recommend enable mixed precision training") and goes on.

When the trainer stops: it does not; it trains with the changed precision.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC350"
NAME = "precision-ineffective"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)
ALIASES = ("LC302",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _notes)


def _notes(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.fp8_enable_fsdp_float8_all_gather and not config.fp8:
        yield Finding(
            "`fp8_enable_fsdp_float8_all_gather` silently turns `fp8` on",
            "fp8_enable_fsdp_float8_all_gather",
            "set `fp8: true` explicitly",
        )
    if config.do_train and not (config.fp16 or config.bf16 or config.pure_bf16):
        yield Finding(
            "training in full fp32: no `bf16`, `fp16` or `pure_bf16`",
            "do_train",
            "set `bf16: true` (Ampere or newer) or `fp16: true` to halve activation memory",
            severity=Severity.INFO,
        )

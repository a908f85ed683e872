"""`full_fp16` / `full_bf16` / `fp8_base` without the matching `mixed_precision`.

Reports `full_fp16` with `full_bf16`, `full_fp16` unless `mixed_precision` is
"fp16", `full_bf16` unless it is "bf16", and `fp8_base` unless it is "fp16" or "bf16"
(`mixed_precision` defaults to "no").

Why it matters: the full half-precision modes keep the whole network in that precision,
which only works with the matching mixed precision; sd-scripts refuses the combination, and
the run stops after the model has been loaded.

Example, bad:

    mixed_precision = "bf16"
    full_fp16 = true

Good:

    mixed_precision = "bf16"
    full_bf16 = true

Trainer source: sd-scripts `NetworkTrainer.train` (train_network.py) asserts `full_fp16` /
`full_bf16` against `mixed_precision`.

When the trainer stops: after the model loads, before the first step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC314"
NAME = "precision-flags"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _precision)


def _precision(config: KohyaValues) -> Iterator[Finding]:
    mixed = config.mixed_precision or "no"  # written empty: reported as the default, "no"
    if config.full_fp16 and config.full_bf16:
        yield Finding("`full_fp16` and `full_bf16` cannot both be on", "full_bf16")
    if config.full_fp16 and mixed != "fp16":
        yield Finding(
            f'`full_fp16` needs `mixed_precision = "fp16"` (it is "{mixed}"): sd-scripts refuses it',
            "full_fp16",
            'set `mixed_precision = "fp16"`',
        )
    if config.full_bf16 and mixed != "bf16":
        yield Finding(
            f'`full_bf16` needs `mixed_precision = "bf16"` (it is "{mixed}"): sd-scripts refuses it',
            "full_bf16",
            'set `mixed_precision = "bf16"`',
        )
    if config.fp8_base and mixed not in ("fp16", "bf16"):
        yield Finding(
            f'`fp8_base` needs `mixed_precision` "fp16" or "bf16" (it is "{mixed}")',
            "fp8_base",
            'set `mixed_precision = "bf16"`',
        )

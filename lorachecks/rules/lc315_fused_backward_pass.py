"""`fused_backward_pass` with an optimizer other than Adafactor, or with accumulation.

With `fused_backward_pass`, reports an `optimizer_type` other than Adafactor
(unset means AdamW) and `gradient_accumulation_steps` above 1.

Why it matters: the fused backward pass steps the optimizer inside the backward pass;
sd-scripts only implements it for Adafactor and refuses gradient accumulation with it.

Example, bad:

    fused_backward_pass = true
    optimizer_type = "AdamW8bit"

Good:

    fused_backward_pass = true
    optimizer_type = "AdaFactor"
    gradient_accumulation_steps = 1

Trainer source: sd-scripts `train_util.get_optimizer` asserts both when it builds the
optimizer.

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

CODE = "LC315"
NAME = "fused-backward-pass"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _fused_backward)


def _fused_backward(config: KohyaValues) -> Iterator[Finding]:
    if not config.fused_backward_pass:
        return
    if config.optimizer.lower() != "adafactor":
        yield Finding(
            f"`fused_backward_pass` only works with the Adafactor optimizer (optimizer_type is"
            f" {config.optimizer_type or 'AdamW (default)'!r})",
            "fused_backward_pass",
            'set `optimizer_type = "AdaFactor"` or turn off `fused_backward_pass`',
        )
    accumulation = config.gradient_accumulation_steps
    if accumulation > 1:
        yield Finding(
            f"`fused_backward_pass` cannot be used with gradient accumulation (gradient_accumulation_steps"
            f" = {accumulation})",
            "fused_backward_pass",
            "set `gradient_accumulation_steps = 1`",
        )

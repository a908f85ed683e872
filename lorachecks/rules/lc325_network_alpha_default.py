"""`network_dim` set without `network_alpha`, so the alpha silently defaults to 1.

Reports a `network_dim` above 1 when `network_alpha` is not set.

Why it matters: sd-scripts scales the LoRA update by `network_alpha / network_dim`, and
`network_alpha` defaults to 1, not to the dim. With `network_dim = 32` and no alpha the
update is 32 times smaller than with `network_alpha = 32`: training appears to learn
nothing unless the learning rate was tuned for that. Other trainers (and lora-scripts,
whose `lora_alpha` defaults to the rank) behave differently, so configs moved between
them change silently.

Example, bad:

    network_dim = 32

Good:

    network_dim = 32
    network_alpha = 16

Trainer source: sd-scripts `networks/lora.py create_network` sets `network_alpha` to 1 when
it is not given.

When the trainer stops: it does not; it trains with the small scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC325"
NAME = "network-alpha-default"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _alpha)


def _alpha(config: KohyaValues) -> Iterator[Finding]:
    dim = config.network_dim
    if isinstance(dim, int) and dim > 1 and not config.is_set("network_alpha"):
        alpha = config.network_alpha  # sd-scripts' default
        yield Finding(
            f"`network_alpha` is not set, so sd-scripts uses {alpha:g}: the LoRA update is scaled by"
            f" {alpha:g}/{dim}, as if the learning rate were {dim / alpha:g} times lower",
            "network_dim",
            f"set `network_alpha` explicitly (e.g. {dim // 2} or {dim})",
        )

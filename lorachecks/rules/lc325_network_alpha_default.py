"""`network_dim` set without `network_alpha`, so the alpha silently defaults to 1.

Why it matters: sd-scripts scales the LoRA update by `network_alpha / network_dim`, and
`network_alpha` defaults to 1, not to the dim. With `network_dim = 32` and no alpha the
update is 32 times smaller than with `network_alpha = 32`: training appears to learn
nothing unless the learning rate was tuned for that. Other trainers (and lora-scripts,
whose `lora_alpha` defaults to the rank) behave differently, so configs moved between
them change silently.

In sd-scripts: `networks/lora.py create_network` sets `network_alpha` to 1 when it is not given.

Example, bad:

    network_dim = 32

Good:

    network_dim = 32
    network_alpha = 16
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC325"
NAME = "network-alpha-default"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

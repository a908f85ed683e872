"""A `network_args` key the chosen `network_module` does not read, or an unknown LyCORIS algo.

For `networks.lora`, `networks.dylora` and `lycoris.kohya`, reports each
`network_args` key the module does not read (a warning), and a LyCORIS `algo` that LyCORIS
does not have (an error).

Why it matters: `network_args` become keyword arguments of the module's `create_network`,
which ignores names it does not read: a typo such as `conv_dims=8` trains without the
convolution layers and says nothing. An unknown LyCORIS `algo` stops the run.

Example, bad:

    network_module = "networks.lora"
    network_args = ["conv_dims=8"]

Good:

    network_module = "networks.lora"
    network_args = ["conv_dim=8", "conv_alpha=4"]

Trainer source: the `create_network` of the network module sd-scripts loads (e.g.
sd-scripts `networks/lora.py`) reads the keys it knows and ignores the rest; LyCORIS'
`create_network` refuses an unknown `algo`.

When the trainer stops: an unknown `algo` stops it after the model loads, when it builds
the network; an unread key never stops it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.core.suggest import closest
from lorachecks.formats.kohya.network_args import LYCORIS_ALGOS, NETWORK_ARGS, split_items
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC321"
NAME = "network-args-keys"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _network_args)


def _network_args(config: KohyaValues) -> Iterator[Finding]:
    module = config.network_module
    values = config.network_args
    if not isinstance(values, list) or module not in NETWORK_ARGS:
        return
    allowed = NETWORK_ARGS[module]
    for index, key, value in split_items(values):
        if key not in allowed:
            guess = closest(key, allowed)
            yield Finding(
                f"`network_args` key `{key}` is not read by {module}: it is silently ignored",
                ("network_args", index),
                f"did you mean `{guess}`?" if guess else f"{module} reads: {', '.join(sorted(allowed))}",
                at="value",
            )
        elif module == "lycoris.kohya" and key == "algo" and value.strip().lower() not in LYCORIS_ALGOS:
            yield Finding(
                f"LyCORIS has no algo {value!r}; valid: {', '.join(LYCORIS_ALGOS)}",
                ("network_args", index),
                at="value",
                severity=Severity.ERROR,
            )

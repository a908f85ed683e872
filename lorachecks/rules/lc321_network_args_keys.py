"""A `network_args` key the chosen `network_module` does not read, or an unknown LyCORIS algo.

Why it matters: `network_args` become keyword arguments of the module's `create_network`,
which ignores names it does not read: a typo such as `conv_dims=8` trains without the
convolution layers and says nothing. Checked for `networks.lora`, `networks.dylora` and
`lycoris.kohya`; an unknown LyCORIS `algo` stops the run (an error).

In sd-scripts: the network module's `create_network` (e.g. `networks/lora.py`) reads the keys it knows and ignores the rest, after the model loads.

Example, bad:

    network_module = "networks.lora"
    network_args = ["conv_dims=8"]

Good:

    network_module = "networks.lora"
    network_args = ["conv_dim=8", "conv_alpha=4"]
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC321"
NAME = "network-args-keys"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

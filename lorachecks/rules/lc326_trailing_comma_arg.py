"""An `optimizer_args` / `lr_scheduler_args` value that ends with a comma becomes a tuple.

Why it matters: sd-scripts reads each value with `ast.literal_eval` (`train_util.get_optimizer`,
`train_util.get_scheduler_fix`), and in Python `False,` is the one-item tuple `(False,)`, which
is true. `relative_step=False,` therefore switches Adafactor into relative-step mode: its own
learning rate replaces yours and the scheduler becomes `adafactor`, silently, and with
`lr_warmup_steps` set the run stops after the model loads ("does not require
num_warmup_steps"). A number with a trailing comma (`weight_decay=0.01,`) reaches the optimizer
as a tuple and stops the run when the optimizer is built, after the model loads. Users copy
these lists from command lines, where items are separated by spaces and commas slip in.

Example, bad:

    optimizer_args = ["scale_parameter=False,", "relative_step=False,", "warmup_init=False"]

Good:

    optimizer_args = ["scale_parameter=False", "relative_step=False", "warmup_init=False"]
"""

import ast
from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.network_args import split_items
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC326"
NAME = "trailing-comma-arg"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for option in ("optimizer_args", "lr_scheduler_args"):
        values = ctx.data.get(option)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            continue
        for index, key, value in split_items(values):
            text = value.strip()
            if not text.endswith(",") or text.startswith(("(", "[")):
                continue
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue  # not a literal at all: LC320's
            if not isinstance(parsed, tuple) or len(parsed) != 1:
                continue
            item = parsed[0]
            effect = (
                "which is true, so the option is on whatever it says (silently, for the whole run)"
                if isinstance(item, bool) or item in (0, None)
                else "and the optimizer or scheduler gets a tuple where it expects a value: the run stops when it is"
                " built, after the model loads"
            )
            yield Finding(
                f"`{option}` item `{key}={value}`: the trailing comma makes sd-scripts read the tuple {parsed!r}, {effect}",
                (option, index),
                f"write `{key}={text.rstrip(',').strip()}`",
            )

"""A kohya `resolution` that is not "W" / "W,H", or not positive.

Reads a kohya training config's `resolution` the way sd-scripts does (text: "512" or
"768,512") and reports text it cannot read and sizes of 0 or less. Sizes off the 64 grid
are LC332, which `--select LC311` still includes; a dataset config's resolution of the
wrong type is LC104.

Why it matters: anything but "W" or "W,H" stops sd-scripts while it reads the arguments,
and so does a size of 0 or less: the run fails after you have queued it.

Example, bad:

    resolution = "512x512"

Good:

    resolution = "512,512"

Trainer source: sd-scripts `train_util.prepare_dataset_args` turns the text into integers.

When the trainer stops: at start-up, while it reads the arguments, before the model loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC311"
NAME = "resolution"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _unreadable)


def _unreadable(config: KohyaValues) -> Iterator[Finding]:
    value = config.resolution
    if value is None:
        return
    pair = config.resolution_pair
    if pair is None:
        yield Finding(
            f'`resolution` {value!r} is not "W" or "W,H": sd-scripts stops reading it',
            "resolution",
            'write `resolution = "512"` or `resolution = "768,512"`',
        )
    elif min(pair) <= 0:
        yield Finding(f"`resolution` {value!r} must be positive", "resolution")

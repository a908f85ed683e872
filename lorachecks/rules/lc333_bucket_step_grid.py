"""A `bucket_reso_steps` off the latent grid, or bucket bounds off the step.

Reports a `bucket_reso_steps` you set that is not divisible by 64 (32 for an SDXL model,
recognised by its name), and a `min_bucket_reso` / `max_bucket_reso` you set that is not a
multiple of it. Split from LC312, which still selects it (`--select LC312`,
`disable=LC312`): LC312's bounds are the same for every script, while the step each script
needs differs (FLUX 32, some newer trainers 16), so a config for those may want this check
off and LC312 on.

Why it matters: bucket sizes are multiples of the step, and the model divides the latents
further: a step off its grid is refused, and bounds off the step are rounded to it, so the
buckets are not the sizes you wrote.

Example, bad:

    enable_bucket = true
    bucket_reso_steps = 48

Good:

    enable_bucket = true
    bucket_reso_steps = 64

Trainer source: sd-scripts `train_util.DatasetGroup.verify_bucket_reso_steps`, called by each
trainer's `assert_extra_args` (train_network.py with 64, sdxl_train_network.py with 32);
`BaseDataset.adjust_min_max_bucket_reso_by_steps` rounds the bounds.

When the trainer stops: a step off the script's grid at start-up, before the model loads;
a warning here because the script, and so its grid, is known only from an SDXL model name.
Bounds off the step never stop it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC333"
NAME = "bucket-step-grid"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)
ALIASES = ("LC312",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _steps)


def _steps(config: KohyaValues) -> Iterator[Finding]:
    if not config.is_set("bucket_reso_steps"):
        return
    steps = config.bucket_reso_steps
    unit = 32 if config.sdxl else 64
    if steps % unit:
        yield Finding(
            f"`bucket_reso_steps` {steps} is not divisible by {unit}: buckets do not match the"
            f" {'SDXL' if config.sdxl else 'SD'} latent grid",
            "bucket_reso_steps",
            f"use {unit} or a multiple of it",
        )
    for key, value in (("min_bucket_reso", config.min_bucket_reso), ("max_bucket_reso", config.max_bucket_reso)):
        if config.is_set(key) and value % steps:
            yield Finding(f"`{key}` {value} is not a multiple of `bucket_reso_steps` {steps}", key)

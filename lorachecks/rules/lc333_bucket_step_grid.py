"""A `bucket_reso_steps` off the latent grid, or bucket bounds off the step.

Reports a `bucket_reso_steps` you set that is not divisible by the grid of the script that
reads the config (64 for train_network.py, 32 for SDXL, FLUX and SD3 networks, 16 for Lumina
and Anima; the script as stated with --kohya-script or inferred from the file), and a `min_bucket_reso` / `max_bucket_reso` you set that is not a
multiple of it. Split from LC312, which still selects it (`--select LC312`,
`disable=LC312`): LC312's bounds are the same for every script, while the step each script
checks differs (SDXL, FLUX and SD3 32, Lumina and Anima 16), so a config for those may want this check
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

Options: `--kohya-script` (or `kohya-script` in the project configuration) names the script.

Trainer source: sd-scripts `train_util.DatasetGroup.verify_bucket_reso_steps`, called by
each script's `assert_extra_args` with its grid (formats/kohya/scripts.py BUCKET_GRID);
`BaseDataset.adjust_min_max_bucket_reso_by_steps` rounds the bounds.

When the trainer stops: a step off the script's grid at start-up, before the model loads: an
error where the script is known or every script refuses the step (off 8); a warning where the
script is not known (then the grid assumed is 64, or 32 for a model named SDXL). Bounds off
the step never stop it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.scripts import BUCKET_GRID, infer
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
    script = infer(ctx.data, ctx.settings.kohya_script)
    yield from kohya_findings(ctx, lambda config: _steps(config, script))


def _steps(config: KohyaValues, script: str | None) -> Iterator[Finding]:
    if not config.is_set("bucket_reso_steps"):
        return
    steps = config.bucket_reso_steps
    unit = BUCKET_GRID.get(script or "", 32 if config.sdxl else 64)
    if steps % unit:
        finest = min(BUCKET_GRID.values())
        if script in BUCKET_GRID:
            consequence = f"{script}.py stops at start-up ('it must be divisible by {unit}')"
        elif steps % finest:
            consequence = f"every sd-scripts script stops at start-up (the finest grid is {finest})"
        else:
            consequence = f"buckets do not match the {'SDXL' if config.sdxl else 'SD'} latent grid"
        refused = script in BUCKET_GRID or steps % finest != 0
        yield Finding(
            f"`bucket_reso_steps` {steps} is not divisible by {unit}: {consequence}",
            "bucket_reso_steps",
            f"use {unit} or a multiple of it",
            severity=Severity.ERROR if refused else None,
        )
    for key, value in (("min_bucket_reso", config.min_bucket_reso), ("max_bucket_reso", config.max_bucket_reso)):
        if config.is_set(key) and value % steps:
            yield Finding(f"`{key}` {value} is not a multiple of `bucket_reso_steps` {steps}", key)

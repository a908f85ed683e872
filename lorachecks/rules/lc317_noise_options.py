"""Noise options that need another one, or exclude each other.

Why it matters: sd-scripts refuses `adaptive_noise_scale` without `noise_offset` at start-up
(`train_util.verify_training_args`). The `*_random_strength` flags do nothing without their
base option (a warning; read in `train_util.get_noise_noisy_latents_and_timesteps`).
`noise_offset` together with `multires_noise_iterations` is fine: both are applied, and the
refusal sd-scripts once had has been commented out since 2023-08.

Example, bad:

    adaptive_noise_scale = 0.01

Good:

    noise_offset = 0.05
    adaptive_noise_scale = 0.01
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC317"
NAME = "noise-options"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

"""`adaptive_noise_scale` without `noise_offset`, or a `*_random_strength` flag without its option.

Reports `adaptive_noise_scale` when `noise_offset` is unset, and
`noise_offset_random_strength` / `ip_noise_gamma_random_strength` when `noise_offset` /
`ip_noise_gamma` is unset (a warning: the flag does nothing).

Why it matters: the adaptive scale adjusts the noise offset, so sd-scripts refuses it alone.
The random-strength flags scale an option that is not there, so the run trains without
what you asked for. `noise_offset` together with `multires_noise_iterations` is fine: both
are applied, and the refusal sd-scripts once had has been commented out since 2023-08.

Example, bad:

    adaptive_noise_scale = 0.01

Good:

    noise_offset = 0.05
    adaptive_noise_scale = 0.01

Trainer source: sd-scripts `train_util.verify_training_args` refuses `adaptive_noise_scale`
alone; `train_util.get_noise_noisy_latents_and_timesteps` reads the random-strength flags.

When the trainer stops: at start-up, while it reads the arguments, before the model loads
(the flags without their option never stop it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC317"
NAME = "noise-options"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _noise)


def _noise(config: KohyaValues) -> Iterator[Finding]:
    if config.adaptive_noise_scale is not None and config.noise_offset is None:
        yield Finding(
            "`adaptive_noise_scale` needs `noise_offset`: sd-scripts refuses it alone",
            "adaptive_noise_scale",
            "set `noise_offset` (e.g. 0.05) or remove `adaptive_noise_scale`",
        )
    for flag, on, base, value in (
        ("noise_offset_random_strength", config.noise_offset_random_strength, "noise_offset", config.noise_offset),
        (
            "ip_noise_gamma_random_strength",
            config.ip_noise_gamma_random_strength,
            "ip_noise_gamma",
            config.ip_noise_gamma,
        ),
    ):
        if on and value is None:
            yield Finding(f"`{flag}` does nothing without `{base}`", flag, f"set `{base}`", severity=Severity.WARNING)

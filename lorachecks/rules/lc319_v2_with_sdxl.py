"""`v2 = true` with an SDXL base model.

Reports `v2` when the base model's name says SDXL (`sdxl`, `xl`, Pony,
Illustrious, NoobAI); LC408 also checks the checkpoint itself.

Why it matters: `v2` selects the Stable Diffusion 2.x text encoder and scheduler, which an
SDXL model does not have; the SDXL scripts refuse it.

Example, bad:

    pretrained_model_name_or_path = "models/sd_xl_base_1.0.safetensors"
    v2 = true

Good:

    pretrained_model_name_or_path = "models/sd_xl_base_1.0.safetensors"

Trainer source: sd-scripts `sdxl_train_util.verify_sdxl_training_args` asserts it (SDXL
scripts only).

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

CODE = "LC319"
NAME = "v2-with-sdxl"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _v2)


def _v2(config: KohyaValues) -> Iterator[Finding]:
    if config.v2 and config.sdxl:
        yield Finding(
            "`v2 = true` with an SDXL base model: v2 means Stable Diffusion 2.x, and the SDXL scripts refuse it",
            "v2",
            "remove `v2` for SDXL models",
        )

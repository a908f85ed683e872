"""`v2 = true` with an SDXL base model.

Why it matters: `v2` selects the Stable Diffusion 2.x text encoder and scheduler; the SDXL
scripts refuse it. The base model counts as SDXL when its file name says so (`sdxl`,
`xl`, Pony, Illustrious, NoobAI); LC408 also checks the checkpoint itself.

In sd-scripts: `sdxl_train_util.verify_sdxl_training_args` asserts it at start-up (SDXL scripts only).

Example, bad:

    pretrained_model_name_or_path = "models/sd_xl_base_1.0.safetensors"
    v2 = true

Good:

    pretrained_model_name_or_path = "models/sd_xl_base_1.0.safetensors"
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC319"
NAME = "v2-with-sdxl"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

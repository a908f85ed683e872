"""`resolution` is not "W" / "W,H", or not a multiple of 64.

Why it matters: sd-scripts reads `resolution` from a training config as the text "512" or
"768,512" (a dataset config takes an integer or `[W, H]`); anything else stops it at
start-up. Sizes that are not multiples of 64 do not fit the latent grid well, so images
are cropped to other sizes than you expect (an error in lora-scripts, whose schema is
strict; a warning for sd-scripts).

In sd-scripts: `train_util.prepare_dataset_args` turns the text into integers at start-up (a dataset config's value goes through `config_util.ConfigSanitizer`).

Example, bad:

    resolution = "512x512"

Good:

    resolution = "512,512"
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC311"
NAME = "resolution"
SEVERITY = Severity.ERROR
FORMATS = ("lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

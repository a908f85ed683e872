"""Aspect-ratio bucket bounds that do not contain the resolution, or odd bucket steps.

Why it matters: with `enable_bucket`, sd-scripts refuses to start when `min_bucket_reso` is
larger than the resolution's smaller side or `max_bucket_reso` smaller than its larger
side (defaults 256 and 1024, so `resolution = "1280"` alone fails). `bucket_reso_steps`
that is not divisible by 64 (32 for SDXL) gives buckets off the latent grid (a warning).

In sd-scripts: `train_util.BaseDataset.adjust_min_max_bucket_reso_by_steps` asserts the bounds when the datasets are built, at start-up; `verify_bucket_reso_steps` (called by the SDXL trainer's `assert_extra_args`) checks the step.

Example, bad:

    resolution = "1024,1024"
    enable_bucket = true
    max_bucket_reso = 768

Good:

    resolution = "1024,1024"
    enable_bucket = true
    max_bucket_reso = 2048
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC312"
NAME = "bucket-settings"
SEVERITY = Severity.ERROR
FORMATS = ("kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

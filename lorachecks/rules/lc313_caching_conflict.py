"""Caching that makes an augmentation or a caption option impossible.

Why it matters: `cache_latents` encodes every image once, so `color_aug` and `random_crop`
cannot change it later; `cache_text_encoder_outputs` encodes every caption once, so
caption shuffling and dropout cannot apply, and the text encoder cannot be trained.
sd-scripts refuses these combinations at start-up.

Example, bad:

    cache_latents = true
    color_aug = true

Good:

    cache_latents = true
    flip_aug = true
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC313"
NAME = "caching-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

"""Training resolution well below the model family's native size.

Warned when the shorter side is under 3/4 of the native size; the family comes from a
local safetensors header, the catalogue or the model name.

Why it matters: SDXL and FLUX were trained at 1024 px, SD 2.x at 768, SD 1.x at 512. A
LoRA trained far below that (SDXL at 512) learns blurry, malformed outputs that do not
match how the model is sampled.

Example, bad (SDXL):

    resolution = "512,512"

Good:

    resolution = "1024,1024"

Options: `--launch-dir` (configuration `launch-dir`) is where a local model path resolves
from; the model is read with path checks off too.

Trainer source: none checks it: sd-scripts `library/train_util.py` `BucketManager` builds
buckets around whatever `resolution` says.

When the trainer stops: it does not; the run trains, only worse than it could.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, lookup
from lorachecks.estimate.sd import flatten, resolve_family
from lorachecks.formats.kohya.resolution import parse_resolution
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC508"
NAME = "resolution-below-native"
SEVERITY = Severity.WARNING
FORMATS = ("kohya", "lora-scripts")


def check(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.data.get("task_type") == "text-generation":
        return
    resolution = parse_resolution(lookup(ctx.data, "resolution"))
    if resolution is None or min(resolution) <= 0:  # unreadable or not positive: LC311 / LC106 say so
        return
    arch, source = resolve_family(flatten(ctx.data), ctx.settings.launch_dir)
    if arch is None or min(resolution) >= 0.75 * arch.native_resolution:
        return
    yield Finding(
        f"resolution {resolution[0]}x{resolution[1]} is well below {arch.family}'s native "
        f"{arch.native_resolution}x{arch.native_resolution}",
        key_of(ctx, "resolution"),
        f"train at {arch.native_resolution} (family from {source})",
        at="value",
    )

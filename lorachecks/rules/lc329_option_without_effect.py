"""An option this run never reads: it does nothing, whatever its value.

Why it matters: sd-scripts accepts every option of its parser in every script, but some are read
only by one model family or one scheduler, so a value written for them changes nothing:

- `clip_skip` with SDXL, SD3 or FLUX: their text encoding ignores it (`sdxl_train_util` and
  `sd3_train_utils` only log "clip_skip will be unexpected"; the FLUX trainer never reads it).
  Which family trains is inferred as for LC313 (or stated with `--kohya-script`).
- `lr_scheduler_num_cycles` with a scheduler other than `cosine_with_restarts`,
  `cosine_with_min_lr` and `warmup_stable_decay`: `train_util.get_scheduler_fix` passes it to
  those only.

Example, bad:

    pretrained_model_name_or_path = "sd_xl_base_1.0.safetensors"
    clip_skip = 2
    lr_scheduler = "cosine"
    lr_scheduler_num_cycles = 3

Good:

    pretrained_model_name_or_path = "sd_xl_base_1.0.safetensors"
    lr_scheduler = "cosine_with_restarts"
    lr_scheduler_num_cycles = 3
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.fields import DEFAULTS
from lorachecks.formats.kohya.scripts import infer
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC329"
NAME = "option-without-effect"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)

_CYCLING_SCHEDULERS = frozenset({"cosine_with_restarts", "cosine_with_min_lr", "warmup_stable_decay"})
_NO_CLIP_SKIP = {"sdxl": "SDXL", "sd3": "SD3", "flux": "FLUX"}


def check(ctx: RuleContext) -> Iterator[Finding]:
    data = ctx.data
    clip_skip = data.get("clip_skip")
    if isinstance(clip_skip, int) and not isinstance(clip_skip, bool) and clip_skip > 1:
        script = infer(data, ctx.settings.kohya_script) or ""
        family = _NO_CLIP_SKIP.get(script.split("_", 1)[0])
        if family is not None:
            yield Finding(
                f"`clip_skip = {clip_skip}` does nothing in {family} training ({script}): the text encoders'"
                " last layers are used as always",
                "clip_skip",
                "remove it (it matters for SD 1.x / 2.x only)",
            )
    cycles = data.get("lr_scheduler_num_cycles")
    scheduler = data.get("lr_scheduler", DEFAULTS["lr_scheduler"])
    if (
        isinstance(cycles, int)
        and not isinstance(cycles, bool)
        and cycles != 1
        and scheduler not in _CYCLING_SCHEDULERS
    ):
        yield Finding(
            f"`lr_scheduler_num_cycles = {cycles}` does nothing with `lr_scheduler = {scheduler!r}`: sd-scripts"
            " passes it only to cosine_with_restarts, cosine_with_min_lr and warmup_stable_decay",
            "lr_scheduler_num_cycles",
            'use `lr_scheduler = "cosine_with_restarts"` for restarts, or remove it',
        )

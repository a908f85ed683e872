"""The base checkpoint's model family does not match the config.

The family is read from the checkpoint's tensor names (SD 1.x, SD 2.x, SDXL, SD3, FLUX, or
a language model), for `.safetensors` base models.

Why it matters: an SDXL checkpoint trained at 512 pixels, or SD 1.5 at 1024, trains slowly
and badly (a warning); an SD 2.x checkpoint without `v2 = true`, a FLUX checkpoint with the
SD `networks.lora` module, or a language model in a text-to-image job fails to load (an
error).

Example, bad:

    pretrained_model_name_or_path = "models/sd_xl_base_1.0.safetensors"
    resolution = "512"

Good:

    pretrained_model_name_or_path = "models/sd_xl_base_1.0.safetensors"
    resolution = "1024,1024"

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from. `--kohya-script` names the script that reads the config.

Trainer source: sd-scripts `library/model_util.py` `load_models_from_stable_diffusion_checkpoint`
(the `v2` flag picks the text encoder and U-Net layout the state dict must fit);
`train_network.py` builds an SD U-Net, where FLUX needs `flux_train_network.py` and
`networks.lora_flux`.

When the trainer stops: a wrong family when the checkpoint is loaded into the model, at
start-up; a resolution far from the family's native size never.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import is_placeholder, resolve
from lorachecks.files.checkpoints import FLUX, LLM, NATIVE_RESOLUTION, SD1, SD2, SD3, SDXL, TITLES, Checkpoint, inspect
from lorachecks.formats import effective
from lorachecks.formats.kohya.resolution import named_sdxl, parse_resolution
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.lc407_base_checkpoint import base_key

CODE = "LC408"
NAME = "model-family"
SEVERITY = Severity.WARNING
FORMATS = ("lora-scripts", "kohya")
ERROR = Severity.ERROR
IMAGE_FAMILIES = (SD1, SD2, SDXL, SD3, FLUX)


def _checkpoint(ctx: RuleContext, key: str) -> Checkpoint | None:
    value = ctx.data.get(key)
    if not ctx.settings.path_checks or not isinstance(value, str) or is_placeholder(value):
        return None
    path = resolve(value, ctx.settings.launch_dir)
    if path.suffix.lower() not in (".safetensors", ".sft") or not path.is_file():
        return None
    result = inspect(path)
    return result if isinstance(result, Checkpoint) and result.family else None


def _resolution(ctx: RuleContext, key: str, size: tuple[int, int], family: str) -> Iterator[Finding]:
    native = NATIVE_RESOLUTION.get(family)
    if native is None:
        return
    title = TITLES[family]
    if family == SDXL and max(size) <= 640:
        yield Finding(
            f"{title} checkpoint trained at {size[0]}x{size[1]}: SDXL was trained at 1024 and degrades at 512",
            key,
            "use a resolution of 1024 (or at least 768)",
            at="value",
        )
    elif family == SD1 and min(size) >= 1024:
        yield Finding(
            f"{title} checkpoint trained at {size[0]}x{size[1]}: SD 1.x was trained at 512; 1024 is slow and"
            " repeats subjects",
            key,
            "use a resolution of 512 to 768, or an SDXL base model",
            at="value",
        )


def _kohya(ctx: RuleContext, ckpt: Checkpoint, key: str) -> Iterator[Finding]:
    family = ckpt.family or ""
    module = str(ctx.data.get("network_module") or "networks.lora")
    v2 = ctx.data.get("v2") is True
    if family in (FLUX, SD3) and module in ("networks.lora", "networks.dylora"):
        script = (
            "flux_train_network.py with networks.lora_flux"
            if family == FLUX
            else "sd3_train_network.py with networks.lora_sd3"
        )
        yield Finding(
            f"{TITLES[family]} checkpoint with `network_module` {module} (a Stable Diffusion U-Net LoRA)",
            key,
            f"use {script}",
            at="value",
            severity=ERROR,
        )
    for suffix, wanted in (("_flux", FLUX), ("_sd3", SD3)):
        if module.endswith(suffix) and family != wanted:
            yield Finding(
                f"`network_module` {module} is for {TITLES[wanted]}, but the checkpoint is {TITLES.get(family, family)}",
                "network_module",
                at="value",
                severity=ERROR,
            )
    if family == SD2 and not v2:
        yield Finding(
            "Stable Diffusion 2.x checkpoint without `v2 = true`: sd-scripts loads it with the SD 1.x text encoder"
            " and fails",
            key,
            "set `v2 = true` (and `v_parameterization = true` for 768-v models)",
            at="value",
            severity=ERROR,
        )
    if v2 and family == SD1:
        yield Finding(
            "`v2 = true` with a Stable Diffusion 1.x checkpoint: the SD 2.x text encoder does not fit it",
            "v2",
            "remove `v2`",
            at="value",
            severity=ERROR,
        )
    if v2 and family == SDXL and not named_sdxl(ctx.data.get(key)):
        yield Finding(
            "`v2 = true` with an SDXL checkpoint: the SDXL scripts refuse v2", "v2", "remove `v2`", severity=ERROR
        )
    size = parse_resolution(ctx.data.get("resolution")) if ctx.data.get("resolution") is not None else None
    if size is not None and min(size) > 0:
        yield from _resolution(ctx, "resolution", size, family)


def _lora_scripts(ctx: RuleContext, ckpt: Checkpoint, key: str) -> Iterator[Finding]:
    family = ckpt.family or ""
    text = ctx.data.get("task_type") == "text-generation"
    if text and family in IMAGE_FAMILIES:
        yield Finding(
            f"`task_type: text-generation` with a {TITLES[family]} checkpoint", key, at="value", severity=ERROR
        )
    elif not text and family == LLM:
        yield Finding(
            "a language model checkpoint in a text-to-image job",
            key,
            "set `task_type: text-generation`, or use a Stable Diffusion checkpoint",
            at="value",
            severity=ERROR,
        )
    size = effective.lora_scripts(ctx.data)["resolution"]
    if not text and isinstance(size, int) and not isinstance(size, bool) and size > 0:
        yield from _resolution(ctx, "resolution" if "resolution" in ctx.data else key, (size, size), family)


def check(ctx: RuleContext) -> Iterator[Finding]:
    key = base_key(ctx)
    ckpt = _checkpoint(ctx, key)
    if ckpt is None:
        return
    assert ctx.format is not None
    if ctx.format.name == "kohya":
        yield from _kohya(ctx, ckpt, key)
    else:
        yield from _lora_scripts(ctx, ckpt, key)

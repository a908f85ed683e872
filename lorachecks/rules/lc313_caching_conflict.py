"""Caching that makes an augmentation or a caption option impossible.

Reports `color_aug` or `random_crop` with `cache_latents`, and
`shuffle_caption`, `caption_dropout_rate` or `caption_tag_dropout_rate` with
`cache_text_encoder_outputs`; and `cache_text_encoder_outputs` without
`network_train_unet_only` where the script is sdxl_train_network.

Why it matters: `cache_latents` encodes every image once, so `color_aug` and `random_crop`
cannot change it later; `cache_text_encoder_outputs` encodes every caption once, so
caption shuffling and dropout cannot apply. sd-scripts refuses these combinations.

Only `sdxl_train_network.py` also refuses to train the text encoder while its outputs are
cached (`cache_text_encoder_outputs` needs `network_train_unet_only`); the FLUX and SD3
trainers cache T5 and still train CLIP. So that error needs the script to be known: stated
with `--kohya-script` / `kohya-script`, or inferred from the file (network module,
family-only keys such as `ae` or `clip_g`, an SDXL model name). When the script is unknown
it is a note.

Example, bad:

    cache_latents = true
    color_aug = true

Good:

    cache_latents = true
    flip_aug = true

Options: `--kohya-script` (configuration `kohya-script`) names the script.

Trainer source: sd-scripts `train_util.DatasetGroup.is_latent_cacheable` /
`is_text_encoder_output_cacheable`, asserted by each trainer (`NetworkTrainer.train`,
`assert_extra_args` of the SDXL, SD3 and FLUX trainers, `sdxl_train.train`);
`SdxlNetworkTrainer.assert_extra_args` for the text encoder.

When the trainer stops: at start-up, when the datasets are built, before the model loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.scripts import infer
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC313"
NAME = "caching-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from kohya_findings(ctx, _cached_inputs)
    yield from _sdxl_text_encoder(ctx)


def _cached_inputs(config: KohyaValues) -> Iterator[Finding]:
    """Options that change an input every epoch, which a cache computed once cannot follow."""
    if config.cache_latents:
        for key, on in (("color_aug", config.color_aug), ("random_crop", config.random_crop)):
            if on:
                yield Finding(
                    f"`{key}` cannot be used with `cache_latents`: cached latents are computed once,"
                    " so sd-scripts refuses the augmentation",
                    key,
                    "turn off `cache_latents` or the augmentation",
                )
    if config.cache_text_encoder_outputs:
        for key, value in (
            ("shuffle_caption", config.shuffle_caption),
            ("caption_dropout_rate", config.caption_dropout_rate),
            ("caption_tag_dropout_rate", config.caption_tag_dropout_rate),
        ):
            if value:
                yield Finding(
                    f"`{key}` cannot be used with `cache_text_encoder_outputs`: the captions are encoded"
                    " once, so sd-scripts refuses it",
                    key,
                    "turn off `cache_text_encoder_outputs` or the caption option",
                )


def _sdxl_text_encoder(ctx: RuleContext) -> Iterator[Finding]:
    # Read as written: sd-scripts converts nothing in a config file, so a flag written as
    # text (even "false") is on for it too.
    data = ctx.data
    if not data.get("cache_text_encoder_outputs") or data.get("network_train_unet_only"):
        return
    script = infer(data, ctx.settings.kohya_script)
    if script == "sdxl_train_network":
        yield Finding(
            "`cache_text_encoder_outputs` needs `network_train_unet_only = true` in sdxl_train_network: a text"
            " encoder whose outputs are cached cannot be trained, and the script stops at start-up",
            "cache_text_encoder_outputs",
            "set `network_train_unet_only = true`",
        )
    elif script is None and data.get("network_module"):
        yield Finding(
            "`cache_text_encoder_outputs` without `network_train_unet_only`: sdxl_train_network stops at start-up"
            " on it; the FLUX and SD3 trainers train CLIP anyway (which script runs this file is not known)",
            "cache_text_encoder_outputs",
            "state the script with --kohya-script, or set `network_train_unet_only = true` for SDXL",
            severity=Severity.INFO,
        )

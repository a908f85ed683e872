"""A training config and the `dataset_config` it names ask for things sd-scripts refuses together.

Why it matters: sd-scripts reads the two files into one run. Caching (`cache_text_encoder_outputs`,
`cache_latents`) is set in the training config, the caption and image options it excludes
(`shuffle_caption`, `caption_dropout_rate`, `caption_tag_dropout_rate`, `token_warmup_step`,
`color_aug`, `random_crop`) usually live in the dataset config, so neither file alone shows the
conflict. sd-scripts stops at start-up, once the datasets are built
(`DatasetGroup.is_text_encoder_output_cacheable` / `is_latent_cacheable`, asserted by the
trainers). Likewise a subset's `conditioning_data_dir` (the mask folder of masked loss) is
accepted only when the training config turns on `masked_loss` and every subset of that dataset
names one: sd-scripts builds its dataset-config validator with the ControlNet keys only under
`masked_loss`, and otherwise stops with "extra keys not allowed"; such a mask dataset then
takes no DreamBooth-only key (`is_reg`, `class_tokens`, `alpha_mask`). The finding sits on the
training config's line and names the dataset config's.

The dataset config is read only with path checks on (relative paths resolve from the launch
directory, as sd-scripts resolves them).

Example, bad (train.toml, with dataset.toml setting `shuffle_caption = true`):

    cache_text_encoder_outputs = true
    dataset_config = "dataset.toml"

Good:

    cache_text_encoder_outputs = false
    dataset_config = "dataset.toml"
"""

from collections.abc import Iterator
from typing import Any

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.sd_data import local_path
from lorachecks.loader import read_text
from lorachecks.loader.document import KeyPath
from lorachecks.loader.toml_loader import load_toml
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC328"
NAME = "dataset-config-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("kohya",)

# Caching option -> the dataset options it excludes (sd-scripts' cacheability checks).
EXCLUDED = {
    "cache_text_encoder_outputs": (
        "shuffle_caption",
        "caption_dropout_rate",
        "caption_tag_dropout_rate",
        "token_warmup_step",
    ),
    "cache_latents": ("color_aug", "random_crop"),
}


def _set_options(data: Any) -> Iterator[tuple[KeyPath, str]]:
    """(path, option) for every truthy option at any level: [general], [[datasets]], subsets."""
    if not isinstance(data, dict):
        return
    levels: list[tuple[KeyPath, Any]] = [((), data), (("general",), data.get("general"))]
    for d, dataset in enumerate(data.get("datasets") or []):
        levels.append((("datasets", d), dataset))
        if isinstance(dataset, dict):
            for s, subset in enumerate(dataset.get("subsets") or []):
                levels.append((("datasets", d, "subsets", s), subset))
    for base, table in levels:
        if isinstance(table, dict):
            for key, value in table.items():
                if value and not isinstance(value, (dict, list)):
                    yield (*base, key), str(key)


# DreamBooth-only keys the ControlNet (masked-loss) schema has no place for: in a subset, and
# `class_tokens` also at the dataset level (config_util's CN_SUBSET_* schemas).
_NOT_IN_MASKED_SUBSET = ("is_reg", "class_tokens", "alpha_mask")


def _unaccepted_masks(data: Any, masked_loss: bool) -> Iterator[tuple[KeyPath, str]]:
    """(path, key) of what sd-scripts' dataset validator refuses in datasets with masks.

    The ControlNet subset schema is used for a dataset only when masked loss is on and every
    one of its subsets names a `conditioning_data_dir` (config_util.ConfigSanitizer); that
    schema then refuses the DreamBooth-only keys."""
    datasets = data.get("datasets") if isinstance(data, dict) else None
    for d, dataset in enumerate(datasets if isinstance(datasets, list) else []):
        subsets = dataset.get("subsets") if isinstance(dataset, dict) else None
        subsets = [s for s in subsets if isinstance(s, dict)] if isinstance(subsets, list) else []
        naming = [s for s, subset in enumerate(subsets) if "conditioning_data_dir" in subset]
        if naming and not (masked_loss and len(naming) == len(subsets)):
            yield from (
                (("datasets", d, "subsets", s, "conditioning_data_dir"), "conditioning_data_dir") for s in naming
            )
        elif naming:
            if isinstance(dataset, dict) and "class_tokens" in dataset:
                yield ("datasets", d, "class_tokens"), "class_tokens"
            for s, subset in enumerate(subsets):
                for key in _NOT_IN_MASKED_SUBSET:
                    if key in subset:
                        yield ("datasets", d, "subsets", s, key), key


def check(ctx: RuleContext) -> Iterator[Finding]:
    caching = [option for option in EXCLUDED if ctx.data.get(option)]
    masked_loss = ctx.data.get("masked_loss") is True
    path = local_path(ctx, "dataset_config") if ctx.settings.path_checks else None
    if path is None:
        return
    name = ctx.data["dataset_config"]
    text, problem = read_text(path, ctx.settings.max_file_bytes)
    if text is None or problem is not None:
        return  # a missing dataset config is a path rule's finding
    other = load_toml(path, text)
    if other.problems:
        return  # the dataset config's own lint reports its syntax
    for key_path, option in _set_options(other.data):
        for cache in caching:
            if option in EXCLUDED[cache]:
                line = other.key_position(key_path).line
                yield Finding(
                    f"`{cache}` cannot be used with `{option}` set in the dataset config {name} (line {line}):"
                    " sd-scripts stops at start-up when the datasets are built",
                    cache,
                    f"turn off `{cache}`, or remove `{option}` from {name}",
                )
    for key_path, key in _unaccepted_masks(other.data, masked_loss):
        line = other.key_position(key_path).line
        if key != "conditioning_data_dir":
            yield Finding(
                f"the dataset config {name} sets `{key}` (line {line}) in a dataset whose subsets all name a"
                " `conditioning_data_dir`: with `masked_loss` sd-scripts validates it as a mask dataset, which has"
                " no such key, and the run stops at start-up (extra keys not allowed)",
                "masked_loss",
                f"remove `{key}` from that dataset in {name}",
            )
            continue
        why = (
            " in only some subsets of a dataset, and with masked loss sd-scripts accepts the key only when every"
            " subset of the dataset names one"
            if masked_loss
            else ", a key sd-scripts accepts only with `masked_loss = true`"
        )
        yield Finding(
            f"the dataset config {name} sets `conditioning_data_dir` (line {line}){why}:"
            " the run stops at start-up (extra keys not allowed)",
            "masked_loss" if "masked_loss" in ctx.data else "dataset_config",
            "set `masked_loss = true` and give every subset of that dataset a `conditioning_data_dir`,"
            f" or remove the key from {name}",
        )

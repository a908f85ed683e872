"""The kohya sd-scripts dataset config (``--dataset_config``): ``[general]``, ``[[datasets]]``,
``[[datasets.subsets]]``.

sd-scripts validates this file strictly (voluptuous, ``extra keys not allowed``): each level
accepts its own keys, and a subset option written at a dataset or ``[general]`` level is
inherited downwards. A training option here is refused. Findings carry the full key path
(``datasets[0].subsets[1].num_repeats``) so they point at the right line.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, create_model, model_validator
from typing_extensions import Self

from lorachecks.diagnostics import Severity
from lorachecks.formats.kohya.fields import FIELDS
from lorachecks.formats.kohya.resolution import parse_resolution
from lorachecks.formats.validation import report
from lorachecks.loader import KeyPath
from lorachecks.suggest import closest, show

# Keys by kind. "resolution" is an int or [W, H]; "pair" two numbers; "table" a mapping.
_TYPES: dict[str, str] = {
    # dataset level (inherited from [general])
    "batch_size": "int",
    "bucket_no_upscale": "bool",
    "bucket_reso_steps": "int",
    "enable_bucket": "bool",
    "max_bucket_reso": "int",
    "min_bucket_reso": "int",
    "resolution": "resolution",
    "network_multiplier": "float",
    "validation_seed": "int",
    "validation_split": "float",
    # subset level (inherited from a dataset or [general])
    "alpha_mask": "bool",
    "cache_info": "bool",
    "caption_dropout_every_n_epochs": "int",
    "caption_dropout_rate": "float",
    "caption_extension": "str",
    "caption_prefix": "str",
    "caption_separator": "str",
    "caption_suffix": "str",
    "caption_tag_dropout_rate": "float",
    "class_tokens": "str",
    "color_aug": "bool",
    "custom_attributes": "table",
    "enable_wildcard": "bool",
    "face_crop_aug_range": "pair",
    "flip_aug": "bool",
    "keep_tokens": "int",
    "keep_tokens_separator": "str",
    "num_repeats": "int",
    "random_crop": "bool",
    "resize_interpolation": "str",
    "secondary_separator": "str",
    "shuffle_caption": "bool",
    "system_prompt": "str",
    "token_warmup_min": "int",
    "token_warmup_step": "float",
    # subset only
    "image_dir": "str",
    "is_reg": "bool",
    "metadata_file": "str",
    "conditioning_data_dir": "str",
}
DATASET_KEYS = frozenset(
    "batch_size bucket_no_upscale bucket_reso_steps enable_bucket max_bucket_reso min_bucket_reso resolution "
    "network_multiplier validation_seed validation_split".split()
)
SUBSET_ONLY = frozenset({"image_dir", "is_reg", "metadata_file", "conditioning_data_dir"})
SUBSET_KEYS = frozenset(_TYPES) - DATASET_KEYS
INHERITED_SUBSET_KEYS = SUBSET_KEYS - SUBSET_ONLY
LEVEL_KEYS = {
    "general": DATASET_KEYS | INHERITED_SUBSET_KEYS,
    "dataset": DATASET_KEYS | INHERITED_SUBSET_KEYS | {"subsets"},
    "subset": SUBSET_KEYS,
}
_POSITIVE = frozenset({"batch_size", "num_repeats", "bucket_reso_steps"})
_EXPECTED = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "str": "text",
    "resolution": "an integer or [width, height]",
    "pair": "[low, high]",
    "table": "a table",
}


def _type_ok(kind: str, value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": number,
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "resolution": parse_resolution(value) is not None and not isinstance(value, str),
        "pair": isinstance(value, list) and len(value) == 2,
        "table": isinstance(value, dict),
    }[kind]


def effective(name: str, *levels: dict[str, Any]) -> Any:
    """The value a subset sees: its own, else its dataset's, else [general]'s."""
    for level in levels:
        if isinstance(level, dict) and name in level:
            return level[name]
    return None


class _Walker:
    def __init__(self, info: ValidationInfo) -> None:
        self.info = info

    def table(self, level: str, table: Any, path: KeyPath) -> dict[str, Any]:
        if not isinstance(table, dict):
            report(self.info, "LC104", path, f"`{path[-1]}` must be a table, got {type(table).__name__}")
            return {}
        allowed = LEVEL_KEYS[level]
        for key, value in table.items():
            where = (*path, key)
            if key in allowed:
                self.value(key, value, where)
            elif key in SUBSET_ONLY:
                report(
                    self.info,
                    "LC101",
                    where,
                    f"`{key}` belongs in a [[datasets.subsets]] table, not in {_level_name(level)}:"
                    " sd-scripts refuses it (extra keys not allowed)",
                    "move it into the subset it describes",
                )
            elif key in FIELDS:
                report(
                    self.info,
                    "LC322",
                    where,
                    f"`{key}` is a training option, not a dataset option: sd-scripts refuses the dataset config"
                    " (extra keys not allowed)",
                    "move it to the training config (--config_file) or the command line",
                )
            else:
                guess = closest(key, allowed)
                report(
                    self.info,
                    "LC101",
                    where,
                    f"unknown key `{key}` in {_level_name(level)}: sd-scripts refuses the dataset config"
                    " (extra keys not allowed)",
                    f"did you mean `{guess}`?" if guess else f"valid here: {', '.join(sorted(allowed))}",
                )
        return table

    def value(self, key: str, value: Any, where: KeyPath) -> None:
        kind = _TYPES.get(key)
        if kind is None:
            return
        if not _type_ok(kind, value):
            hint = None
            if key == "resolution" and isinstance(value, str):
                hint = f"in a dataset config write `resolution = {value.split(',')[0].strip()}` or `[W, H]`"
            report(
                self.info,
                "LC104",
                where,
                f"`{key}` must be {_EXPECTED[kind]}, got {type(value).__name__} {show(value)}",
                hint,
            )
        elif key in _POSITIVE and value < 1:
            report(self.info, "LC106", where, f"`{key}` must be at least 1 (got {value})")

    def run(self, general: Any, datasets: Any) -> None:
        top = self.table("general", general, ("general",)) if general is not None else {}
        if datasets is None:
            report(
                self.info,
                "LC103",
                "general" if general is not None else (),
                "the dataset config has no [[datasets]] table: there is nothing to train on",
                "add [[datasets]] with at least one [[datasets.subsets]] naming an image_dir",
            )
            return
        if not isinstance(datasets, list):
            report(self.info, "LC104", "datasets", "`datasets` must be an array of tables: write [[datasets]]")
            return
        for i, dataset in enumerate(datasets):
            where: KeyPath = ("datasets", i)
            level = self.table("dataset", dataset, where)
            self.buckets(level, top, where)
            subsets = level.get("subsets")
            if subsets is None:
                report(
                    self.info,
                    "LC103",
                    where,
                    "this [[datasets]] table has no [[datasets.subsets]]: sd-scripts needs at least one",
                    "add [[datasets.subsets]] with `image_dir`",
                )
                continue
            if not isinstance(subsets, list):
                report(self.info, "LC104", (*where, "subsets"), "`subsets` must be an array of tables")
                continue
            for j, subset in enumerate(subsets):
                sub_where: KeyPath = (*where, "subsets", j)
                sub = self.table("subset", subset, sub_where)
                if isinstance(subset, dict) and "image_dir" not in sub and "metadata_file" not in sub:
                    report(
                        self.info,
                        "LC103",
                        sub_where,
                        "this subset has neither `image_dir` nor `metadata_file`: sd-scripts refuses it",
                        "add `image_dir = 'path/to/images'`",
                    )

    def buckets(self, dataset: dict[str, Any], general: dict[str, Any], where: KeyPath) -> None:
        raw = effective("resolution", dataset, general)
        pair = parse_resolution(raw) if raw is not None and not isinstance(raw, str) else None
        if pair is None:
            return
        anchor = (*where, "resolution") if "resolution" in dataset else ("general", "resolution")
        if pair[0] % 64 or pair[1] % 64:
            report(
                self.info,
                "LC311",
                anchor,
                f"`resolution` {show(raw)} is not a multiple of 64: images are cropped to other sizes than you expect",
                "use 512, 768 or 1024 (or another multiple of 64)",
                Severity.WARNING,
            )
        if not effective("enable_bucket", dataset, general):
            return
        low = effective("min_bucket_reso", dataset, general)
        high = effective("max_bucket_reso", dataset, general)
        low = low if isinstance(low, int) else 256
        high = high if isinstance(high, int) else 1024
        if low > min(pair):
            key = (*where, "min_bucket_reso") if "min_bucket_reso" in dataset else anchor
            report(
                self.info,
                "LC312",
                key,
                f"`min_bucket_reso` {low} is larger than the resolution's smaller side {min(pair)}: sd-scripts refuses it",
                f"set `min_bucket_reso` to {min(pair)} or less",
            )
        if high < max(pair):
            key = (*where, "max_bucket_reso") if "max_bucket_reso" in dataset else anchor
            report(
                self.info,
                "LC312",
                key,
                f"`max_bucket_reso` {high} is smaller than the resolution's larger side {max(pair)}: sd-scripts refuses it",
                f"set `max_bucket_reso` to {max(pair)} or more",
            )


def _level_name(level: str) -> str:
    return {"general": "[general]", "dataset": "a [[datasets]] table", "subset": "a [[datasets.subsets]] table"}[level]


def _json_type(name: str) -> dict[str, Any]:
    kind = _TYPES[name]
    if kind == "resolution":
        size = {"type": "integer", "minimum": 1}
        return {"anyOf": [size, {"type": "array", "items": size, "minItems": 2, "maxItems": 2}]}
    if kind == "pair":
        return {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
    json_type = {"int": "integer", "float": "number", "bool": "boolean", "str": "string", "table": "object"}[kind]
    return {"type": json_type, **({"minimum": 1} if name in _POSITIVE else {})}


def _level_schema(level: str, description: str) -> dict[str, Any]:
    from lorachecks.formats.descriptions import table

    words = table("kohya-dataset")
    properties: dict[str, Any] = {}
    for name in sorted(LEVEL_KEYS[level] - {"subsets"}):
        text = words.get(name, f"Dataset option `{name}`.")
        if level != "subset" and name in INHERITED_SUBSET_KEYS:
            text += " Set here, it applies to every subset below that does not set it."
        properties[name] = {**_json_type(name), "description": text}
    if level == "dataset":
        properties["subsets"] = {
            "type": "array",
            "description": "The image folders (or metadata files) of this dataset, one [[datasets.subsets]] table each.",
            "items": _level_schema("subset", "One image folder or metadata file, with its captions and repeats."),
        }
    return {"type": "object", "description": description, "properties": properties, "additionalProperties": False}


class DatasetBase(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    general: Any = None
    datasets: Any = None

    @classmethod
    def editor_layout(cls, options: dict[str, Any]) -> dict[str, Any]:
        """The JSON Schema shape of the file: its three levels with their own keys (the
        training ``options`` do not belong here: sd-scripts refuses them)."""
        return {
            "type": "object",
            "properties": {
                "general": _level_schema("general", "Options for every dataset and subset that does not set them."),
                "datasets": {
                    "type": "array",
                    "description": "The datasets, one [[datasets]] table each.",
                    "items": _level_schema("dataset", "One dataset: its resolution, batch size and buckets."),
                },
            },
            "additionalProperties": False,
        }

    @model_validator(mode="after")
    def _walk(self, info: ValidationInfo) -> Self:
        _Walker(info).run(self.general, self.datasets)
        for key in sorted(self.model_fields_set - {"general", "datasets"}):
            report(
                info,
                "LC322",
                key,
                f"`{key}` is a training option, not a dataset option: sd-scripts refuses the dataset config"
                " (extra keys not allowed)",
                "move it to the training config (--config_file) or the command line",
            )
        return self


def _build() -> type[DatasetBase]:
    # Training options are declared (as Any) so that LC101 leaves them to LC322.
    fields: dict[str, Any] = {name: (Any, None) for name in FIELDS if name not in ("general", "datasets")}
    model: type[DatasetBase] = create_model("KohyaDatasetConfig", __base__=DatasetBase, **fields)
    return model


KohyaDatasetConfig = _build()

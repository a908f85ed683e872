"""The kohya sd-scripts dataset config (``--dataset_config``): ``[general]``, ``[[datasets]]``,
``[[datasets.subsets]]``.

sd-scripts validates this file strictly (voluptuous, ``extra keys not allowed``): each level
accepts its own keys, and a subset option written at a dataset or ``[general]`` level is
inherited downwards. A training option here is refused. Findings carry the full key path
(``datasets[0].subsets[1].num_repeats``) so they point at the right line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, ValidationInfo, create_model, model_validator
from typing_extensions import Self

from lorachecks.core.records import record
from lorachecks.core.suggest import closest, show
from lorachecks.formats.kohya.fields import DEFAULTS, FIELDS
from lorachecks.formats.kohya.resolution import parse_resolution
from lorachecks.formats.validation import report
from lorachecks.loader import KeyPath

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


@record(frozen=True, slots=True)
class Table:
    """One table of a dataset config, as written (``raw`` may be no table at all)."""

    level: str  # "general", "dataset" or "subset"
    path: KeyPath
    raw: Any

    @property
    def options(self) -> dict[str, Any]:
        return self.raw if isinstance(self.raw, dict) else {}


@record(frozen=True, slots=True)
class Dataset:
    """One [[datasets]] entry with the [general] options it inherits (``{}`` where either is
    not a table)."""

    path: KeyPath
    options: dict[str, Any]
    general: dict[str, Any]

    def get(self, name: str) -> Any:
        return effective(name, self.options, self.general)

    def size(self, name: str) -> int:
        """An integer option as this dataset sees it, else sd-scripts' default for it."""
        value = self.get(name)
        return value if isinstance(value, int) else cast(int, DEFAULTS[name])

    @property
    def resolution(self) -> tuple[Any, tuple[int, int], KeyPath] | None:
        """The resolution this dataset trains at (as written, as a pair, where it is written);
        None when neither level writes one that sd-scripts reads (text is LC104's)."""
        raw = self.get("resolution")
        pair = parse_resolution(raw) if raw is not None and not isinstance(raw, str) else None
        if pair is None:
            return None
        anchor = (*self.path, "resolution") if "resolution" in self.options else ("general", "resolution")
        return raw, pair, anchor


KeyKind = Literal["option", "subset-only", "training", "unknown"]


def key_kind(level: str, key: str) -> KeyKind:
    """What a key is at this level: "option" (it belongs here), "subset-only" (it belongs in a
    subset, LC101), "training" (a training option, LC322) or "unknown" (LC101)."""
    if key in LEVEL_KEYS[level]:
        return "option"
    if key in SUBSET_ONLY:
        return "subset-only"
    return "training" if key in FIELDS else "unknown"


class _Walker:
    """The checks of each nested field: the structure, then each key and value where it is."""

    def __init__(self, info: ValidationInfo) -> None:
        self.info = info

    def table(self, table: Table) -> None:
        if not isinstance(table.raw, dict):
            path = table.path
            report(self.info, "LC104", path, f"`{path[-1]}` must be a table, got {type(table.raw).__name__}")
            return
        level = table.level
        for key, value in table.raw.items():
            where = (*table.path, key)
            kind = key_kind(level, key)
            if kind == "option":
                self.value(key, value, where)
            elif kind == "subset-only":
                report(
                    self.info,
                    "LC101",
                    where,
                    f"`{key}` belongs in a [[datasets.subsets]] table, not in {_level_name(level)}:"
                    " sd-scripts refuses it (extra keys not allowed)",
                    "move it into the subset it describes",
                )
            elif kind == "unknown":
                guess = closest(key, LEVEL_KEYS[level])
                report(
                    self.info,
                    "LC101",
                    where,
                    f"unknown key `{key}` in {_level_name(level)}: sd-scripts refuses the dataset config"
                    " (extra keys not allowed)",
                    f"did you mean `{guess}`?" if guess else f"valid here: {', '.join(sorted(LEVEL_KEYS[level]))}",
                )
            # a training option (kind "training") is LC322's

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

    def run(self, config: DatasetBase) -> None:
        for table in config.tables():
            self.table(table)
            options = table.options
            if table.level == "dataset":
                subsets = options.get("subsets")  # an entry that is no table has none either
                if subsets is None:
                    report(
                        self.info,
                        "LC103",
                        table.path,
                        "this [[datasets]] table has no [[datasets.subsets]]: sd-scripts needs at least one",
                        "add [[datasets.subsets]] with `image_dir`",
                    )
                elif not isinstance(subsets, list):
                    report(self.info, "LC104", (*table.path, "subsets"), "`subsets` must be an array of tables")
            elif table.level == "subset" and isinstance(table.raw, dict):
                if "image_dir" not in options and "metadata_file" not in options:
                    report(
                        self.info,
                        "LC103",
                        table.path,
                        "this subset has neither `image_dir` nor `metadata_file`: sd-scripts refuses it",
                        "add `image_dir = 'path/to/images'`",
                    )
        if config.datasets is None:
            report(
                self.info,
                "LC103",
                "general" if config.general is not None else (),
                "the dataset config has no [[datasets]] table: there is nothing to train on",
                "add [[datasets]] with at least one [[datasets.subsets]] naming an image_dir",
            )
        elif not isinstance(config.datasets, list):
            report(self.info, "LC104", "datasets", "`datasets` must be an array of tables: write [[datasets]]")


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

    def tables(self) -> Iterator[Table]:
        """Every table in the order sd-scripts reads them: [general], then each [[datasets]]
        followed by its [[datasets.subsets]]."""
        if self.general is not None:
            yield Table("general", ("general",), self.general)
        if not isinstance(self.datasets, list):
            return
        for i, dataset in enumerate(self.datasets):
            where: KeyPath = ("datasets", i)
            yield Table("dataset", where, dataset)
            subsets = dataset.get("subsets") if isinstance(dataset, dict) else None
            if isinstance(subsets, list):
                for j, subset in enumerate(subsets):
                    yield Table("subset", (*where, "subsets", j), subset)

    def dataset_entries(self) -> Iterator[Dataset]:
        """Each [[datasets]] entry with what it inherits from [general]."""
        general = self.general if isinstance(self.general, dict) else {}
        for table in self.tables():
            if table.level == "dataset":
                yield Dataset(table.path, table.options, general)

    @property
    def training_keys(self) -> list[str]:
        """Top-level keys that are training options (LC322), in name order."""
        return sorted(self.model_fields_set - {"general", "datasets"})

    @model_validator(mode="after")
    def _walk(self, info: ValidationInfo) -> Self:
        _Walker(info).run(self)
        return self


def _build() -> type[DatasetBase]:
    # Training options are declared (as Any) so that LC101 leaves them to LC322.
    fields: dict[str, Any] = {name: (Any, None) for name in FIELDS if name not in ("general", "datasets")}
    model: type[DatasetBase] = create_model("KohyaDatasetConfig", __base__=DatasetBase, **fields)
    return model


KohyaDatasetConfig = _build()

"""Where LLaMA-Factory looks for the files a config names (used by the LC2xx rules)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from lorachecks.core.paths import can_be_path, is_placeholder, read_json, resolve
from lorachecks.core.records import field, record
from lorachecks.formats.llamafactory.values import LlamaFactoryValues, split_names

if TYPE_CHECKING:
    from lorachecks.formats.view import ConfigView

DATA_CONFIG = "dataset_info.json"
# The order LLaMA-Factory prefers a dataset's sources in (first present wins).
HUB_SOURCES = ("hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name")
FILE_TYPES = frozenset({"arrow", "csv", "json", "jsonl", "parquet", "txt"})


def config_of(ctx: ConfigView) -> LlamaFactoryValues | None:
    """The effective values of a LLaMA-Factory config (None: not one, or not validated)."""
    config = ctx.validation.config
    return config if isinstance(config, LlamaFactoryValues) else None


def local_path(ctx: ConfigView, value: str) -> Path | None:
    """The path a trainer launched from ``launch_dir`` opens; None for an interpolated value.

    LLaMA-Factory resolves neither ``${...}`` nor ``~``: an interpolated value is reported
    by LC108 and not checked as a path here; neither is text no filesystem accepts as a path.
    """
    return _local_path(value, ctx.settings.launch_dir)


def model_linear_modules(ctx: ConfigView, model: str) -> tuple[str, frozenset[str]] | None:
    """The ``model_type`` of a local model folder and its LoRA-able linear layer names, or None
    when the folder, its config.json or the architecture is unknown."""
    from lorachecks.core.architectures import LINEAR_MODULES

    path = local_path(ctx, model)
    if path is None:
        return None
    model_config, error = read_json(path / "config.json")
    model_type = model_config.get("model_type") if isinstance(model_config, dict) else None
    if error is not None or model_type not in LINEAR_MODULES:
        return None
    return str(model_type), LINEAR_MODULES[model_type]


def train_output_dir(ctx: ConfigView) -> Path | None:
    """The local ``output_dir`` of a training run (path checks on), or None."""
    output_dir = ctx.data.get("output_dir")
    if not ctx.settings.path_checks or ctx.data.get("do_train") is not True:
        return None
    if not isinstance(output_dir, str) or not output_dir or is_placeholder(output_dir):
        return None
    return local_path(ctx, output_dir)


@lru_cache(maxsize=1024)
def _local_path(value: str, launch_dir: Path) -> Path | None:
    """Several rules ask for the same values (model, output and data folders) in every file."""
    if "${" in value or not can_be_path(value):
        return None
    return resolve(value, launch_dir)


@record(slots=True)
class DatasetInfo:
    directory: Path | None  # None: datasets come from a hub (ONLINE / REMOTE:)
    entries: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def dataset_info(ctx: ConfigView, config: LlamaFactoryValues) -> DatasetInfo:
    """The file's dataset_info.json, read once per file for the rules that need it."""
    cached = ctx.__dict__.get("_dataset_info")
    if cached is not None and cached[0] is config:
        return cast(DatasetInfo, cached[1])
    info = dataset_info_in(ctx, config.dataset_dir)
    ctx.__dict__["_dataset_info"] = (config, info)
    return info


def dataset_info_in(ctx: ConfigView, dataset_dir: str) -> DatasetInfo:
    """The dataset_info.json of ``dataset_dir`` as the trainer launched from ``launch_dir`` reads it."""
    if dataset_dir == "ONLINE" or dataset_dir.startswith("REMOTE:"):
        return DatasetInfo(None)
    directory = local_path(ctx, dataset_dir)
    if directory is None:
        return DatasetInfo(None)
    data, error = read_json(directory / DATA_CONFIG)
    if error is not None:
        return DatasetInfo(directory, error=f"cannot open {directory / DATA_CONFIG}: {error}")
    if not isinstance(data, dict):
        return DatasetInfo(directory, error=f"{directory / DATA_CONFIG} is not a JSON object")
    return DatasetInfo(directory, data)


def used_datasets(config: LlamaFactoryValues) -> list[tuple[str, str]]:
    """(config key, dataset name) for every dataset the job loads."""
    return [("dataset", n) for n in split_names(config.dataset)] + [
        ("eval_dataset", n) for n in split_names(config.eval_dataset)
    ]

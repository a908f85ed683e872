"""Configs of neighbouring trainers that resemble kohya's, recognised and skipped.

musubi-tuner (kohya's video / DiT trainer) and anima_lora (a trainer grown from sd-scripts'
Anima code) read TOML the way sd-scripts does but with their own arguments and dataset keys;
diffusion-pipe, OneTrainer and ai-toolkit have their own layouts. Linting them against
sd-scripts' options would report every key as wrong, so each is recognised by keys sd-scripts
never uses and reported as skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lorachecks.formats.base import Format, has_any
from lorachecks.formats.kohya import flattened_keys
from lorachecks.loader import Document

# musubi-tuner's training scripts take the model as `--dit` (required); sd-scripts' training
# scripts have no such argument. `task` selects the Wan model variant.
_MUSUBI_TRAINING = frozenset({"dit", "dit_high_noise", "task"})
# musubi-tuner's own network modules live in its package; sd-scripts cannot import a module of
# that package, so a config naming one is written for musubi-tuner even when `--dit` is given on
# the command line rather than in the file.
_MUSUBI_NETWORK_PACKAGE = "musubi_tuner."
# musubi-tuner dataset entries (no [[datasets.subsets]]: each dataset is one folder or JSONL).
_MUSUBI_DATASET = frozenset(
    {
        "image_directory",
        "video_directory",
        "image_jsonl_file",
        "video_jsonl_file",
        "cache_directory",
        "target_frames",
        "frame_extraction",
        "control_directory",
    }
)
# anima_lora's own arguments (its preprocessing folders) and dataset keys; sd-scripts reads none
# of them, and its dataset validator refuses the dataset ones.
_ANIMA_LORA = frozenset(
    {
        "resized_image_dir",
        "lora_cache_dir",
        "artists_shard",
        "checkpointing_epochs",
        "cache_llm_adapter_outputs",
        "use_shuffled_caption_variants",
    }
)
_ANIMA_LORA_DATASET = frozenset({"cache_dir", "text_cache_dir", "path_pattern", "validation_split_num"})
_DIFFUSION_PIPE = frozenset({"micro_batch_size_per_gpu", "pipeline_stages", "activation_checkpointing"})
_DIFFUSION_PIPE_DATASET = frozenset({"directory", "resolutions", "enable_ar_bucket", "frame_buckets"})


def _network_module(data: Any) -> object:
    """`network_module` as sd-scripts reads it: top level or inside one table."""
    if not isinstance(data, dict):
        return None
    tables = [data, *(value for value in data.values() if isinstance(value, dict))]
    return next((table["network_module"] for table in tables if "network_module" in table), None)


def _is_musubi_training(doc: Document) -> bool:
    keys = flattened_keys(doc.data)
    if "pretrained_model_name_or_path" in keys:
        return False
    module = _network_module(doc.data)
    return bool(keys & _MUSUBI_TRAINING) or (isinstance(module, str) and module.startswith(_MUSUBI_NETWORK_PACKAGE))


def _is_musubi_dataset(doc: Document) -> bool:
    datasets = doc.data.get("datasets") if isinstance(doc.data, dict) else None
    return isinstance(datasets, list) and any(has_any(entry, _MUSUBI_DATASET) for entry in datasets)


def _dataset_tables(data: Any) -> Iterator[Any]:
    """Every [[datasets]] entry and [[datasets.subsets]] table, as written."""
    datasets = data.get("datasets") if isinstance(data, dict) else None
    for dataset in datasets if isinstance(datasets, list) else []:
        yield dataset
        subsets = dataset.get("subsets") if isinstance(dataset, dict) else None
        yield from subsets if isinstance(subsets, list) else []


def _is_anima_lora(doc: Document) -> bool:
    return bool(flattened_keys(doc.data) & _ANIMA_LORA) or any(
        has_any(table, _ANIMA_LORA_DATASET) for table in _dataset_tables(doc.data)
    )


def _is_diffusion_pipe(doc: Document) -> bool:
    return has_any(doc.data, _DIFFUSION_PIPE) or (
        isinstance(doc.data, dict) and isinstance(doc.data.get("adapter"), dict) and "model" in doc.data
    )


def _is_diffusion_pipe_dataset(doc: Document) -> bool:
    return has_any(doc.data, _DIFFUSION_PIPE_DATASET)


def _is_onetrainer(doc: Document) -> bool:
    return has_any(doc.data, frozenset({"__version"})) and has_any(
        doc.data, frozenset({"training_method", "model_type"})
    )


def _is_ai_toolkit(doc: Document) -> bool:
    data: Any = doc.data
    return (
        isinstance(data, dict)
        and "job" in data
        and isinstance(data.get("config"), dict)
        and "process" in data["config"]
    )


NEIGHBOUR_FORMATS = (
    Format("anima-lora", "anima_lora config", ("toml",), _is_anima_lora),
    Format("musubi-tuner", "musubi-tuner training config", ("toml",), _is_musubi_training),
    Format("musubi-tuner-dataset", "musubi-tuner dataset config", ("toml",), _is_musubi_dataset),
    Format("diffusion-pipe", "diffusion-pipe config", ("toml",), _is_diffusion_pipe),
    Format("diffusion-pipe-dataset", "diffusion-pipe dataset config", ("toml",), _is_diffusion_pipe_dataset),
    Format("onetrainer", "OneTrainer config", ("json",), _is_onetrainer),
    Format("ai-toolkit", "ai-toolkit config", ("yaml",), _is_ai_toolkit),
)

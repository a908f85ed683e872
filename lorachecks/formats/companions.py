"""Files that live beside train configs and are recognised, not linted as train configs."""

from __future__ import annotations

from typing import Any

from lorachecks.formats.base import Format, has_any
from lorachecks.loader import Document

_DATASET_SOURCES = frozenset({"file_name", "hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name"})


def _is_accelerate(doc: Document) -> bool:
    return has_any(doc.data, frozenset({"compute_environment", "distributed_type"}))


def _is_deepspeed(doc: Document) -> bool:
    return has_any(
        doc.data,
        frozenset({"zero_optimization", "train_micro_batch_size_per_gpu", "zero_allow_untested_optimizer"}),
    )


def _is_dataset_info(doc: Document) -> bool:
    data: Any = doc.data
    if not isinstance(data, dict) or not data:
        return False
    entries = list(data.values())
    return all(isinstance(e, dict) for e in entries) and any(has_any(e, _DATASET_SOURCES) for e in entries)


def _is_llamafactory_v1(doc: Document) -> bool:
    """LLaMA-Factory's v1 launcher (USE_V1=1) uses `model` plus nested plugin configs."""
    return has_any(doc.data, frozenset({"peft_config", "dist_config", "kernel_config", "model_class", "train_dataset"}))


COMPANION_FORMATS = (
    Format("llamafactory-v1", "LLaMA-Factory v1 config (USE_V1=1)", ("yaml",), _is_llamafactory_v1),
    Format("accelerate", "accelerate launch config", ("yaml", "json"), _is_accelerate),
    Format("deepspeed", "DeepSpeed config", ("json", "yaml"), _is_deepspeed),
    Format("dataset-info", "LLaMA-Factory dataset_info.json", ("json",), _is_dataset_info),
)

"""Training-memory estimates from a config alone (no model download, no torch).

``estimate_llm`` covers LLaMA-Factory configs, ``estimate_sd`` kohya / lora-scripts
Stable Diffusion configs (from their plain mapping); ``estimate_config`` picks by format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lorachecks.estimate.llm import estimate_llm
from lorachecks.estimate.result import Estimate, fit_verdict
from lorachecks.estimate.sd import estimate_sd
from lorachecks.formats import effective
from lorachecks.formats.lora_scripts import UNCUT_TEXT_TOKENS

SD_FORMATS = ("kohya", "lora-scripts")
LLM_FORMATS = ("llamafactory",)


def as_llamafactory(config: dict[str, Any]) -> dict[str, Any]:
    """A lora-scripts text-generation job in LLaMA-Factory's terms, for the LLM estimate:
    lora-scripts' own defaults where it has them, LLaMA-Factory's for the rest."""
    values = effective.lora_scripts(config)
    precision = values["mixed_precision"]
    llm = {
        "model_name_or_path": values["base_model"],
        "per_device_train_batch_size": values["batch_size"],
        "lora_rank": values["lora_rank"],
        "bf16": precision == "bf16",
        "fp16": precision == "fp16",
    }
    length = values["max_seq_length"]
    llm["cutoff_len"] = UNCUT_TEXT_TOKENS if length is None else length
    return llm


def estimate_config(config: dict[str, Any], format_name: str, base: Path | None = None, gpus: int = 1) -> Estimate:
    """The estimate for a config of ``format_name`` (a lorachecks format name)."""
    if format_name in SD_FORMATS:
        if str(config.get("task_type", "")).strip() == "text-generation":
            return estimate_llm(as_llamafactory(config), base, gpus)
        return estimate_sd(config, base, gpus, kohya=format_name == "kohya")
    return estimate_llm(config, base, gpus)


__all__ = ["LLM_FORMATS", "SD_FORMATS", "Estimate", "estimate_config", "estimate_llm", "estimate_sd", "fit_verdict"]

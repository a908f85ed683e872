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

SD_FORMATS = ("kohya", "lora-scripts")
LLM_FORMATS = ("llamafactory",)


def estimate_config(config: dict[str, Any], format_name: str, base: Path | None = None, gpus: int = 1) -> Estimate:
    """The estimate for a config of ``format_name`` (a lorachecks format name)."""
    if format_name in SD_FORMATS:
        if str(config.get("task_type", "")).strip() == "text-generation":
            llm = {
                "model_name_or_path": config.get("base_model"),
                "cutoff_len": config.get("max_seq_length", 2048),
                "per_device_train_batch_size": config.get("batch_size", 1),
                "bf16": config.get("mixed_precision") == "bf16",
                "fp16": config.get("mixed_precision") == "fp16",
                **{k: v for k, v in config.items() if k in {"lora_rank", "lora_alpha", "gradient_accumulation_steps"}},
            }
            return estimate_llm(llm, base, gpus)
        return estimate_sd(config, base, gpus)
    return estimate_llm(config, base, gpus)


__all__ = ["LLM_FORMATS", "SD_FORMATS", "Estimate", "estimate_config", "estimate_llm", "estimate_sd", "fit_verdict"]

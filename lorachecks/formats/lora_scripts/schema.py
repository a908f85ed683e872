"""The lora-scripts YAML schema (version ``SCHEMA_VERSION``): every key, its type and range."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from typing_extensions import Self

from lorachecks.diagnostics import Severity
from lorachecks.formats.validation import report

TEXT: Literal["text-generation"] = "text-generation"
IMAGE: Literal["text-to-image"] = "text-to-image"
_IMAGE_ONLY = ("conv_lora_rank", "resolution")
_TEXT_ONLY = ("tokenizer", "max_seq_length")


class LoraScriptsConfig(BaseModel):
    """A lora-scripts training config."""

    model_config = ConfigDict(extra="ignore")

    task_type: Literal["text-to-image", "text-generation"] = Field(IMAGE, description="what is trained")
    base_model: str | None = Field(None, description=".safetensors/.ckpt, a diffusers folder, or an LLM")
    train_data_dir: str | None = Field(None, description="folder with the images (image tasks)")
    metadata_path: str | None = Field(None, description="CSV filename,caption (images) or JSONL (text)")
    lora_rank: int = Field(8, ge=1, description="LoRA rank (4-16 typical)")
    lora_alpha: float | None = Field(None, gt=0, description="LoRA alpha; defaults to the rank")
    conv_lora_rank: int | None = Field(None, ge=1, description="rank of the convolution LoRA (images only)")
    batch_size: int = Field(1, ge=1)
    epochs: int = Field(1, ge=1)
    max_train_steps: int | None = Field(None, ge=1)
    learning_rate: float = Field(1e-4, gt=0)
    output_dir: str | None = Field(None, description="where lora_weights.safetensors is written")
    save_steps: int | None = Field(None, ge=1)
    resolution: int = Field(512, ge=64, description="training size, a multiple of 64 (512 SD1.x, 1024 SDXL)")
    mixed_precision: Literal["no", "fp16", "bf16"] = "no"
    num_workers: int = Field(0, ge=0)
    tokenizer: str | None = Field(None, description="tokenizer folder or hub id (text only)")
    max_seq_length: int | None = Field(None, ge=1, description="token budget per sample (text only)")

    @property
    def is_text(self) -> bool:
        return self.task_type == TEXT

    @model_validator(mode="after")
    def _required(self, info: ValidationInfo) -> Self:
        needed = ["base_model", "metadata_path", "output_dir"]
        if not self.is_text:
            needed.insert(1, "train_data_dir")
        for key in needed:
            if getattr(self, key) is None:
                report(info, "LC103", key, f"`{key}` is required for a {self.task_type} job", None)
        return self

    @model_validator(mode="after")
    def _task_options(self, info: ValidationInfo) -> Self:
        wrong = _IMAGE_ONLY if self.is_text else _TEXT_ONLY
        for key in wrong:
            if key in self.model_fields_set:
                report(
                    info,
                    "LC324",
                    key,
                    f"`{key}` has no effect in a {self.task_type} job",
                    f"remove it, or set `task_type: {IMAGE if self.is_text else TEXT}`",
                    Severity.WARNING,
                )
        if "resolution" in self.model_fields_set and self.resolution % 64 and not self.is_text:
            report(
                info,
                "LC311",
                "resolution",
                f"`resolution` {self.resolution} is not a multiple of 64",
                f"use {max(64, round(self.resolution / 64) * 64)}",
            )
        if self.max_train_steps is not None and "epochs" in self.model_fields_set:
            report(
                info,
                "LC324",
                "max_train_steps",
                "both `epochs` and `max_train_steps` are set: `max_train_steps` decides when training stops",
                "keep one of the two",
                Severity.INFO,
            )
        return self

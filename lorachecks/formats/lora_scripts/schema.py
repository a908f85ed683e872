"""The lora-scripts YAML schema (version ``SCHEMA_VERSION``): every key, its type, range and
default. The keys a task type requires stay here (LC103); checks between fields are rule
modules (LC311, LC324) reading the validated model."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from typing_extensions import Self

from lorachecks.formats.validation import report

TEXT: Literal["text-generation"] = "text-generation"
IMAGE: Literal["text-to-image"] = "text-to-image"
# Options only one task type reads (LC324).
IMAGE_ONLY = ("conv_lora_rank", "resolution")
TEXT_ONLY = ("tokenizer", "max_seq_length")


class LoraScriptsConfig(BaseModel):
    """A lora-scripts training config."""

    model_config = ConfigDict(extra="ignore")

    task_type: Literal["text-to-image", "text-generation"] = Field(
        IMAGE, description="What is trained: text-to-image (a Stable Diffusion LoRA) or text-generation (an LLM LoRA)."
    )
    base_model: str | None = Field(
        None,
        description="Model to train on: a .safetensors/.ckpt checkpoint, a diffusers folder, or an LLM folder or hub id.",
    )
    train_data_dir: str | None = Field(None, description="Folder holding the training images (text-to-image jobs).")
    metadata_path: str | None = Field(
        None, description="Captions as a CSV of filename,caption (images) or the samples as JSONL (text)."
    )
    lora_rank: int = Field(8, ge=1, description="Rank of each LoRA adapter: its size and capacity (4-16 is typical).")
    lora_alpha: float | None = Field(
        None, gt=0, description="LoRA scaling numerator (updates scale by alpha / rank); defaults to the rank."
    )
    conv_lora_rank: int | None = Field(
        None, ge=1, description="Rank of LoRA on convolution layers too (text-to-image only); unset trains none."
    )
    batch_size: int = Field(1, ge=1, description="Samples per training step.")
    epochs: int = Field(1, ge=1, description="Passes over the training data.")
    max_train_steps: int | None = Field(None, ge=1, description="Stop after this many steps, whatever the epochs.")
    learning_rate: float = Field(
        1e-4,
        gt=0,
        description="Learning rate of the optimizer; write it with a dot (1.0e-4): PyYAML reads 1e-4 as text.",
    )
    output_dir: str | None = Field(None, description="Folder where lora_weights.safetensors is written.")
    save_steps: int | None = Field(None, ge=1, description="Save the LoRA every this many steps.")
    resolution: int = Field(
        512, ge=64, description="Training image size, a multiple of 64 (512 for SD 1.x, 1024 for SDXL)."
    )
    mixed_precision: Literal["no", "fp16", "bf16"] = Field("no", description="Mixed precision: no, fp16 or bf16.")
    num_workers: int = Field(0, ge=0, description="Processes that load the data; 0 loads in the main process.")
    tokenizer: str | None = Field(
        None, description="Tokenizer folder or hub id, when it differs from the model (text-generation only)."
    )
    max_seq_length: int | None = Field(
        None, ge=1, description="Longest sample in tokens; longer ones are cut (text-generation only)."
    )

    @property
    def is_text(self) -> bool:
        return self.task_type == TEXT

    def is_set(self, name: str) -> bool:
        """Whether the file sets ``name`` with a valid value (else the field's default stands)."""
        return name in self.model_fields_set

    @model_validator(mode="after")
    def _required(self, info: ValidationInfo) -> Self:
        needed = ["base_model", "metadata_path", "output_dir"]
        if not self.is_text:
            needed.insert(1, "train_data_dir")
        for key in needed:
            if getattr(self, key) is None:
                report(info, "LC103", key, f"`{key}` is required for a {self.task_type} job", None)
        return self

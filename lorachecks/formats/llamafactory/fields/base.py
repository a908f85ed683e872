"""Shared base of the generated LLaMA-Factory argument models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ReportTo = Literal[
    "none",
    "all",
    "azure_ml",
    "clearml",
    "codecarbon",
    "comet_ml",
    "dagshub",
    "dvclive",
    "flyte",
    "mlflow",
    "neptune",
    "swanlab",
    "tensorboard",
    "trackio",
    "wandb",
]


class ArgsModel(BaseModel):
    """Strict: the trainer converts no types on the YAML path, so neither do we."""

    model_config = ConfigDict(extra="forbid", strict=True, protected_namespaces=(), defer_build=True)

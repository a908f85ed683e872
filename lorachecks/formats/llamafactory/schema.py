"""The LLaMA-Factory train config: every argument the trainer accepts, field by field.

Fields come from the per-dataclass models in ``fields/``; validating a file against this
model checks each value on its own (type, choice, bound). The checks between fields (the
start-up checks of LLaMA-Factory and transformers' ``TrainingArguments``) are rules in
lorachecks/rules/, reading :class:`~lorachecks.formats.llamafactory.values.LlamaFactoryValues`.
"""

from __future__ import annotations

from typing import Any

from lorachecks.formats.llamafactory.fields import (
    DataArgs,
    FinetuningArgs,
    GeneratingArgs,
    KTransformersRuntimeArgs,
    MegatronBridgeArgs,
    ModelArgs,
    TrainingArgs,
)


class LlamaFactoryConfig(
    ModelArgs,
    DataArgs,
    TrainingArgs,
    FinetuningArgs,
    GeneratingArgs,
    MegatronBridgeArgs,
    KTransformersRuntimeArgs,
):
    """A config for `llamafactory-cli train` (and chat/export, which read a subset)."""

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(cls.model_fields)

    @classmethod
    def since(cls, name: str) -> str | None:
        extra: Any = cls.model_fields[name].json_schema_extra
        return extra.get("since") if isinstance(extra, dict) else None

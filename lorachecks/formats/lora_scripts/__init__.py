"""lora-scripts YAML configs (``python train.py --config configs/x.yaml``).

No public implementation of this format exists, so lorachecks owns its schema: it is
strict (unknown keys are errors), documented in docs/formats/lora-scripts.md and
versioned (``SCHEMA_VERSION``). The file is read with PyYAML ``safe_load`` semantics:
``2e-4`` is a string there.
"""

from __future__ import annotations

from lorachecks.core.settings import Settings
from lorachecks.formats.base import Format, has_any
from lorachecks.loader import Document

SCHEMA_VERSION = "1.0"
# lora-scripts cuts no text when `max_seq_length` is unset (the schema's default is none);
# the estimate and the dry-run then size a sample at LLaMA-Factory's default cutoff_len.
UNCUT_TEXT_TOKENS = 2048

_SIGNATURE = frozenset({"task_type", "base_model", "metadata_path", "conv_lora_rank"})
# LLaMA-Factory's own markers: a file with one of them is not a lora-scripts config.
_LLAMAFACTORY = frozenset(
    {"model_name_or_path", "stage", "finetuning_type", "do_train", "template", "dataset", "lora_target"}
)


def _detect(doc: Document) -> bool:
    return has_any(doc.data, _SIGNATURE) and not has_any(doc.data, _LLAMAFACTORY)


def _dialect(settings: Settings) -> str:
    return "pyyaml"


LORA_SCRIPTS = Format(
    name="lora-scripts",
    title="lora-scripts config",
    syntaxes=("yaml",),
    detect=_detect,
    lintable=True,
    schema_path="lorachecks.formats.lora_scripts.schema:LoraScriptsConfig",
    dialect_for=_dialect,
    unknown_key_effect="the lora-scripts schema accepts only its documented keys",
)

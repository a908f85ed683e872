"""kohya sd-scripts and SD-Trainer (Akegarasu/lora-scripts) TOML configs.

Two file kinds: the training config (``--config_file``; sd-scripts flattens its tables one
level and silently ignores unknown keys) and the dataset config (``--dataset_config``;
``[general]``, ``[[datasets]]``, ``[[datasets.subsets]]``, validated strictly).
"""

from __future__ import annotations

from typing import Any

from lorachecks.core.diagnostics import Severity
from lorachecks.core.settings import Settings
from lorachecks.formats.base import Format
from lorachecks.loader import Document

# Keys that only a training config sets (checked outside [general] and [[datasets]]).
TRAINING_SIGNATURE = frozenset(
    {
        "pretrained_model_name_or_path",
        "network_module",
        "network_dim",
        "network_alpha",
        "train_data_dir",
        "output_dir",
        "output_name",
        "optimizer_type",
        "max_train_epochs",
        "max_train_steps",
        "save_model_as",
        "unet_lr",
        "text_encoder_lr",
        "train_batch_size",
        "learning_rate",
        "mixed_precision",
        "lr_scheduler",
    }
)
_DATASET_TABLES = ("general", "datasets")
# Spellings from other trainers and GUIs for sd-scripts arguments.
ALIASES = {
    "lr_restart_cycles": "lr_scheduler_num_cycles",
    "lr_scheduler_cycles": "lr_scheduler_num_cycles",
    "batch_size": "train_batch_size",
    "epochs": "max_train_epochs",
    "epoch": "max_train_epochs",
    "max_epochs": "max_train_epochs",
    "lr": "learning_rate",
    "lr_warmup": "lr_warmup_steps",
    "warmup_steps": "lr_warmup_steps",
    "optimizer": "optimizer_type",
    "rank": "network_dim",
    "lora_rank": "network_dim",
    "lora_alpha": "network_alpha",
    "dim": "network_dim",
    "alpha": "network_alpha",
    "base_model": "pretrained_model_name_or_path",
    "model": "pretrained_model_name_or_path",
    "num_repeats": "dataset_repeats",
    "image_dir": "train_data_dir",
    "max_resolution": "resolution",
}
# Network options that GUIs show as fields but sd-scripts reads only inside `network_args`.
ALIASES.update(
    {
        name: f'sd-scripts reads it only inside network_args: network_args = ["{arg}=..."]'
        for name, arg in (
            ("conv_dim", "conv_dim"),
            ("conv_alpha", "conv_alpha"),
            ("lycoris_algo", "algo"),
            ("algo", "algo"),
            ("preset", "preset"),
            ("lokr_factor", "factor"),
            ("factor", "factor"),
            ("dylora_unit", "unit"),
            ("rank_dropout", "rank_dropout"),
            ("module_dropout", "module_dropout"),
            ("train_norm", "train_norm"),
            ("down_lr_weight", "down_lr_weight"),
            ("mid_lr_weight", "mid_lr_weight"),
            ("up_lr_weight", "up_lr_weight"),
            ("block_dims", "block_dims"),
            ("block_alphas", "block_alphas"),
            ("loraplus_lr_ratio", "loraplus_lr_ratio"),
        )
    }
)


def flattened_keys(data: Any, skip: tuple[str, ...] = ()) -> set[str]:
    """Keys as sd-scripts sees them after flattening one level of tables."""
    keys: set[str] = set()
    if not isinstance(data, dict):
        return keys
    for key, value in data.items():
        if key in skip:
            continue
        if isinstance(value, dict):
            keys.update(str(k) for k in value)
        else:
            keys.add(str(key))
    return keys


def _is_training(doc: Document) -> bool:
    data = doc.data
    if flattened_keys(data, _DATASET_TABLES) & TRAINING_SIGNATURE:
        return True
    # Without [[datasets]], `[general]` is just one more table that sd-scripts'
    # read_config_from_file flattens: training keys there make a --config_file.
    return not (isinstance(data, dict) and isinstance(data.get("datasets"), list)) and bool(
        flattened_keys(data) & TRAINING_SIGNATURE
    )


def _is_dataset(doc: Document) -> bool:
    data = doc.data
    if not isinstance(data, dict) or _is_training(doc):
        return False
    return isinstance(data.get("datasets"), list) or isinstance(data.get("general"), dict)


def _kohya_dialect(settings: Settings) -> str:
    return "kohya"


def _values(model: Any) -> Any:
    """What the rules read of a validated training config (imported on use: detection of
    every file imports this module, and the field table is large)."""
    from lorachecks.formats.kohya.values import values_of

    return values_of(model)


KOHYA = Format(
    name="kohya",
    title="kohya sd-scripts / SD-Trainer training config",
    syntaxes=("toml",),
    detect=_is_training,
    lintable=True,
    schema_path="lorachecks.formats.kohya.schema:KohyaConfig",
    config_view=_values,
    dialect_for=_kohya_dialect,
    unknown_key_severity=Severity.WARNING,
    unknown_key_effect="sd-scripts silently ignores keys it does not know, so this setting does nothing",
    aliases=ALIASES,
)

KOHYA_DATASET = Format(
    name="kohya-dataset",
    title="kohya sd-scripts dataset config",
    syntaxes=("toml",),
    detect=_is_dataset,
    lintable=True,
    schema_path="lorachecks.formats.kohya.dataset_schema:KohyaDatasetConfig",
    unknown_key_effect="sd-scripts refuses the dataset config (extra keys not allowed)",
)

"""Stable Diffusion trainer files that are recognised and skipped, not linted as training configs.

- SD-Trainer GUI presets (``config/presets/*.toml``): ``[metadata]`` plus a ``[data]``
  table of form values the GUI merges into its own settings.
- LyCORIS preset TOMLs (``network_args = ["preset=x.toml"]``): which modules to target.
- kohya_ss GUI presets (JSON): GUI field names such as ``LoRA_type`` and ``max_resolution``
  that the GUI turns into sd-scripts arguments itself.
"""

from __future__ import annotations

from lorachecks.formats.base import Format, has_any
from lorachecks.loader import Document

_LYCORIS_PRESET = frozenset(
    {
        "enable_conv",
        "unet_target_module",
        "unet_target_name",
        "text_encoder_target_module",
        "text_encoder_target_name",
        "module_algo_map",
        "name_algo_map",
        "use_fnmatch",
        "exclude_name",
    }
)
_KOHYA_SS_GUI = frozenset({"LoRA_type", "max_resolution", "additional_parameters", "lora_network_weights"})


def _is_sd_trainer_preset(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and isinstance(data.get("metadata"), dict) and isinstance(data.get("data"), dict)


def _is_lycoris_preset(doc: Document) -> bool:
    return has_any(doc.data, _LYCORIS_PRESET)


def _is_kohya_ss_preset(doc: Document) -> bool:
    return has_any(doc.data, _KOHYA_SS_GUI)


SD_COMPANION_FORMATS = (
    Format("sd-trainer-preset", "SD-Trainer GUI preset", ("toml",), _is_sd_trainer_preset),
    Format("lycoris-preset", "LyCORIS preset", ("toml",), _is_lycoris_preset),
    Format("kohya-ss-preset", "kohya_ss GUI preset", ("json",), _is_kohya_ss_preset),
)

"""Which sd-scripts script reads a training config: some start-up checks exist in one script only.

Users state it (``--kohya-script``, or ``kohya-script`` in the project configuration, per path
too); otherwise it is inferred from what the file says for sure: a network module that belongs
to one model family, keys only one family's scripts read, or a base model whose name says SDXL.
When nothing says it, the script is unknown and no script-specific check reports an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lorachecks.formats.kohya.resolution import named_sdxl

# sd-scripts 48d368fa: the LoRA / LoRA-like training scripts, then the full fine-tunes.
NETWORK_SCRIPTS = (
    "train_network",
    "sdxl_train_network",
    "sd3_train_network",
    "flux_train_network",
    "lumina_train_network",
    "hunyuan_image_train_network",
    "anima_train_network",
)
FULL_SCRIPTS = ("train_db", "fine_tune", "sdxl_train", "sd3_train", "flux_train", "lumina_train", "anima_train")
SCRIPTS = NETWORK_SCRIPTS + FULL_SCRIPTS

# What `bucket_reso_steps` must divide by in each script (its assert_extra_args calls
# DatasetGroup.verify_bucket_reso_steps with this number at start-up).
BUCKET_GRID = {
    "train_network": 64,
    "train_db": 64,
    "fine_tune": 64,
    "sdxl_train_network": 32,
    "sdxl_train": 32,
    "sd3_train_network": 32,
    "sd3_train": 8,
    "flux_train_network": 32,
    "flux_train": 16,
    "hunyuan_image_train_network": 32,
    "lumina_train_network": 16,
    "lumina_train": 16,
    "anima_train_network": 16,
    "anima_train": 16,
}

# Network modules written for one family's model (networks/*.py).
_MODULE_SCRIPT = {
    "networks.lora_flux": "flux_train_network",
    "networks.oft_flux": "flux_train_network",
    "networks.lora_sd3": "sd3_train_network",
    "networks.lora_lumina": "lumina_train_network",
    "networks.lora_hunyuan_image": "hunyuan_image_train_network",
    "networks.lora_anima": "anima_train_network",
}


def check_script(name: str) -> str | None:
    """A problem with a stated script name, or None."""
    if name in SCRIPTS:
        return None
    return f"unknown sd-scripts script {name!r} (choose from {', '.join(SCRIPTS)})"


def infer(data: Mapping[str, Any], stated: str | None) -> str | None:
    """The script that reads ``data`` (a flattened training config), or None when unknown."""
    if stated:
        return stated
    module = data.get("network_module")
    network = isinstance(module, str) and bool(module)
    if network and module in _MODULE_SCRIPT:
        return _MODULE_SCRIPT[str(module)]
    family = None
    if "ae" in data and "t5xxl" in data:
        family = "flux"
    elif "clip_g" in data and "t5xxl" in data:
        family = "sd3"
    elif "gemma2" in data:
        family = "lumina"
    elif named_sdxl(data.get("pretrained_model_name_or_path")) or data.get("sdxl") is True:
        family = "sdxl"
    if family is None:
        return None
    return f"{family}_train_network" if network else f"{family}_train"

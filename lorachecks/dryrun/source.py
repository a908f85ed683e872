"""Where the model comes from: local folder, cached hub id, or single-file checkpoint.

No ML imports, so a missing model is reported before torch is even loaded.
"""

from __future__ import annotations

from pathlib import Path

from lorachecks.dryrun.config import DryRunError, Plan


def model_source(plan: Plan, launch_dir: Path, allow_download: bool) -> str:
    """A local folder or a cached hub id; DR101 / DR102 otherwise."""
    from lorachecks.core.paths import looks_like_hub_id, resolve

    path = resolve(plan.model, launch_dir).expanduser()
    if path.exists():
        if not path.is_dir():
            raise DryRunError("DR101", f"{plan.model} is a file; the trainer loads a model folder", plan.model_key)
        if not (path / "config.json").is_file():
            raise DryRunError("DR103", f"{path} has no config.json", plan.model_key)
        return str(path)
    if not looks_like_hub_id(plan.model):
        raise DryRunError("DR101", f"model folder {path} does not exist", plan.model_key)
    if allow_download:
        return plan.model
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # the extras are missing: DR003 says so next
        return plan.model
    cached = try_to_load_from_cache(plan.model, "config.json")
    if isinstance(cached, str):
        return plan.model
    raise DryRunError(
        "DR102",
        f"{plan.model} is a hub id that is not in the local Hugging Face cache, and the dry-run is offline",
        plan.model_key,
        "pass --allow-download, or point at a local folder; --device meta needs only its config.json",
    )


WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")


def require_weights(folder: Path, plan: Plan) -> None:
    """A local model folder without weight files cannot be loaded: say how to run it anyway (DR105)."""
    if not folder.is_dir() or any(p.suffix in WEIGHT_SUFFIXES for p in folder.iterdir()):
        return  # a hub id (transformers finds its files) or a folder with weights
    raise DryRunError(
        "DR105",
        f"{folder} has a config.json but no weight files (.safetensors / .bin)",
        plan.model_key,
        "pass --init random to build the model from its config.json with random weights, "
        "or --device meta to check targets and shapes without any values",
    )


FAMILY_NAMES = {"sd1": "SD 1.x", "sd2": "SD 2.x", "sdxl": "SDXL"}


def unet_folder(plan: Plan, launch_dir: Path) -> Path:
    """The folder holding the U-Net's config.json, or a single-file checkpoint."""
    from lorachecks.core.paths import resolve

    path = resolve(plan.model, launch_dir).expanduser()
    if not path.exists():
        raise DryRunError("DR101", f"base model {path} does not exist", plan.model_key)
    if path.is_file():
        return path
    for candidate in (path / "unet", path):
        if (candidate / "config.json").is_file():
            return candidate
    raise DryRunError("DR103", f"{path} has neither unet/config.json nor config.json", plan.model_key)


def single_file_family(path: Path, plan: Plan) -> tuple[str, int]:
    """(family, U-Net parameter count) of a single-file SD checkpoint, read from its header."""
    from lorachecks.files.safetensors_header import NotSafetensors, read_header

    if path.suffix.lower() != ".safetensors":
        raise DryRunError(
            "DR002",
            f"{path.name} is not a .safetensors file; the dry-run does not unpickle checkpoints",
            plan.model_key,
            "convert it to .safetensors (or a diffusers folder)",
        )
    try:
        header = read_header(path)
    except (NotSafetensors, OSError) as exc:
        raise DryRunError(
            "DR103", f"{path.name} is not a readable safetensors checkpoint: {exc}", plan.model_key
        ) from None
    names = header.tensors
    unet = sum(t.numel for n, t in names.items() if n.startswith("model.diffusion_model."))
    if any(".double_blocks." in n or n.startswith("double_blocks.") or ".joint_blocks." in n for n in names):
        raise DryRunError("DR002", f"{path.name} is a FLUX / SD3 transformer: not dry-run yet", plan.model_key)
    if not unet:
        raise DryRunError("DR103", f"{path.name} holds no U-Net (`model.diffusion_model.*`) tensors", plan.model_key)
    if any(n.startswith("conditioner.") or n.startswith("model.diffusion_model.label_emb.") for n in names):
        family = "sdxl"
    elif any(n.startswith("cond_stage_model.model.") for n in names):
        family = "sd2"
    else:
        family = "sd1"
    wanted = plan.model_family
    if wanted is not None and wanted != family:
        raise DryRunError(
            "DR108",
            f"the config trains {FAMILY_NAMES[wanted]} but {path.name} is an {FAMILY_NAMES[family]} checkpoint",
            plan.family_key,
            "use the model_train_type / v2 setting (and script) of the checkpoint's family",
        )
    return family, unet

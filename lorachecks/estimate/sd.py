"""Peak training memory of a Stable Diffusion family LoRA run (kohya sd-scripts / lora-scripts).

Works on the plain config mapping (TOML tables are flattened as sd-scripts flattens them),
so it needs no schema. The formulas, calibration and expected error are in docs/estimate.md.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lorachecks.core.paths import resolve
from lorachecks.estimate.architecture import DiffusionArch
from lorachecks.estimate.catalogue import DIFFUSION_CATALOGUE, DIFFUSION_FAMILIES, diffusion_family_of
from lorachecks.estimate.llm import CONTEXT_BYTES, FRAGMENTATION
from lorachecks.estimate.result import Estimate
from lorachecks.formats import effective
from lorachecks.formats.kohya.network_args import DEFAULT_NETWORK_DIM
from lorachecks.formats.kohya.resolution import training_resolution

# lora-scripts' `model_train_type` values (and GUI flags) naming the family.
_TRAIN_TYPES = {"sd-lora": "sd1", "sdxl-lora": "sdxl", "flux-lora": "flux", "sd3-lora": "sd3"}
# FLUX transformer blocks (kohya counts a swapped double block as two slots).
_FLUX_DOUBLE, _FLUX_SINGLE = 339_000_000, 141_000_000
# Optimizer state bytes per trainable parameter (fp32 states unless 8-bit).
_OPTIMIZERS = {
    "adamw8bit": 2.0, "pagedadamw8bit": 2.0, "lion8bit": 1.0, "pagedlion8bit": 1.0,
    "adamw": 8.0, "adam": 8.0, "pagedadamw": 8.0, "lion": 4.0, "sgdnesterov": 4.0, "sgd": 0.0,
    "sgdnesterov8bit": 1.0, "adafactor": 0.5, "prodigy": 16.0, "dadaptation": 12.0, "dadaptadam": 12.0,
    "dadaptlion": 8.0, "dadaptadagrad": 8.0, "came": 12.0,
}  # fmt: skip


def flatten(config: dict[str, Any]) -> dict[str, Any]:
    """sd-scripts flattens TOML tables into one namespace (the last duplicate wins)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict) and key not in {"network_args", "optimizer_args"}:
            out.update(flatten(value))
        else:
            out[key] = value
    return out


def _family_from_header(path: Path) -> str | None:
    from lorachecks.files.safetensors_header import read_header

    names = read_header(path).tensors.keys()

    def has(prefix: str) -> bool:
        return any(n.startswith(prefix) or f".{prefix}" in n for n in names)

    if has("double_blocks."):
        return "flux"
    if has("joint_blocks."):
        return "sd3"
    if has("conditioner.embedders.1") or has("add_embedding.") or has("label_emb."):
        return "sdxl"
    if has("cond_stage_model.model."):
        return "sd2"
    if has("model.diffusion_model.") or has("cond_stage_model.transformer") or has("down_blocks."):
        return "sd1"
    return None


def resolve_family(config: dict[str, Any], base: Path) -> tuple[DiffusionArch | None, str]:
    """The family and how it was known: safetensors header, catalogue id, file name, flags."""
    model = config.get("pretrained_model_name_or_path", config.get("base_model"))
    name = model.strip() if isinstance(model, str) else ""
    if name and "${" not in name:
        path = resolve(name, base)
        if path.is_file() and path.suffix == ".safetensors":
            from lorachecks.files.safetensors_header import NotSafetensors

            try:
                family = _family_from_header(path)
            except (NotSafetensors, OSError) as exc:
                family, note = None, f"header unreadable: {exc}"
            else:
                note = "no known family's tensor names"
            if family is not None:
                return DIFFUSION_FAMILIES[family], f"safetensors header {path}"
            return None, f"unknown (safetensors file {path}: {note})"
    if name.lower() in DIFFUSION_CATALOGUE:
        return DIFFUSION_FAMILIES[DIFFUSION_CATALOGUE[name.lower()]], f"catalogue {name.lower()}"
    train_type = config.get("model_train_type")
    if isinstance(train_type, str) and train_type.lower() in _TRAIN_TYPES:
        return DIFFUSION_FAMILIES[_TRAIN_TYPES[train_type.lower()]], f"model_train_type {train_type}"
    family = diffusion_family_of(name) if name else None
    if family is not None:
        return DIFFUSION_FAMILIES[family], f"model name `{name}` (catalogue family {family})"
    if config.get("sdxl") is True:
        return DIFFUSION_FAMILIES["sdxl"], "flag sdxl = true"
    if config.get("v2") is True:
        return DIFFUSION_FAMILIES["sd2"], "flag v2 = true"
    if config.get("v2") is False and config.get("sdxl") is not True:
        return DIFFUSION_FAMILIES[
            "sd1"
        ], "flag v2 = false (SD 1.x, assuming train_network.py rather than an SDXL script)"
    if name:
        return None, f"unknown (`{name}`: no local safetensors file, not in the catalogue, family not in its name)"
    return None, "unknown (no pretrained_model_name_or_path / base_model)"


def network_option(config: dict[str, Any], name: str) -> Any:
    """An option of the network module: a `network_args` item (sd-scripts hands them over as
    strings; the last one wins), else a key of that name (GUI presets write some there)."""
    from lorachecks.formats.kohya.network_args import split_items

    args = config.get("network_args")
    items = (
        [(key, value.strip()) for _, key, value in split_items([str(a) for a in args])]
        if isinstance(args, list)
        else []
    )
    found = [value for key, value in items if key == name]
    return found[-1] if found else config.get(name)


def conv_dim(config: dict[str, Any]) -> int | None:
    """The conv rank of sd-scripts' `conv_dim` (lora-scripts: `conv_lora_rank`); None when unset or unreadable."""
    value = network_option(config, "conv_dim")
    if value is None:
        value = config.get("conv_lora_rank")
    try:
        return None if value is None or isinstance(value, bool) else int(float(value))
    except (TypeError, ValueError):
        return None


# Network modules counted and built as they are: sd-scripts' LoRA for each family.
DEFAULT_NETWORKS = ("networks.lora", "networks.lora_sd3", "networks.lora_flux")
LYCORIS_LORA = ("lora", "locon")


def network_approximation(config: dict[str, Any]) -> str | None:
    """What the default LoRA network stands in for, said plainly; None for the default network."""
    module = config.get("network_module")  # unset: sd-scripts has no network to build, nothing to approximate
    if not isinstance(module, str) or module in DEFAULT_NETWORKS:
        return None
    if module == "lycoris.kohya":
        algo = str(network_option(config, "algo") or "lora").lower()
        if algo in LYCORIS_LORA:
            return (
                f"lycoris.kohya algo={algo}: LyCORIS selects its own modules; approximated by sd-scripts' "
                "networks.lora of the same dims"
            )
        return (
            f"lycoris.kohya algo={algo} is not modelled: a plain LoRA of the same dim stands in for it, so the "
            f"trainable count, memory and gradients are a LoRA's, not {algo}'s"
        )
    return (
        f"network_module {module} is not modelled: a plain LoRA of the same dim stands in for it, so the "
        "trainable count, memory and gradients are a LoRA's"
    )


def _number(config: dict[str, Any], keys: tuple[str, ...], default: float) -> float:
    """The first key holding a finite, non-negative number (numeric strings too), else ``default``."""
    for key in keys:
        value = config.get(key)
        if isinstance(value, bool):
            continue
        number: float | None = None
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is not None and math.isfinite(number) and number >= 0:
            return number
    return default


def _flag(config: dict[str, Any], key: str) -> bool:
    return config.get(key) is True


def estimate_sd(config: dict[str, Any], base: Path | None = None, gpus: int = 1, kohya: bool | None = None) -> Estimate:
    """Peak memory per GPU of the kohya (``kohya``) or lora-scripts SD-family LoRA config
    ``config``; without ``kohya``, a config naming its model `base_model` is lora-scripts'."""
    config = flatten(config)
    if kohya is None:
        kohya = "base_model" not in config
    values = effective.kohya(config) if kohya else effective.lora_scripts(config)
    batch_key, rank_key = ("train_batch_size", "network_dim") if kohya else ("batch_size", "lora_rank")
    base = base or Path.cwd()
    arch, source = resolve_family(config, base)
    model = config.get("pretrained_model_name_or_path", config.get("base_model"))
    est = Estimate(model=str(model), model_source=source, kind=arch.family if arch else "diffusion", gpus=gpus)
    if arch is None:
        est.known = False
        return est
    notes = est.assumptions
    precision = str(values["mixed_precision"]).lower()
    half = precision in {"fp16", "bf16"}
    weight_bytes = 2.0 if half else 4.0
    fp8 = _flag(config, "fp8_base") or _flag(config, "fp8_base_unet")
    resolution, where = training_resolution(config, base)
    if resolution is None or min(resolution) <= 0:
        resolution = (arch.native_resolution, arch.native_resolution)
        notes.append(f"resolution not given or unreadable: the family's native {arch.native_resolution}")
    elif where != "the training config":
        notes.append(f"resolution {resolution[0]}x{resolution[1]} from {where} (its largest dataset)")
    width, height = resolution
    batch = max(int(_number(config, ("train_batch_size", "batch_size"), values.default(batch_key))), 1)
    rank_default = values.default(rank_key)  # kohya: None, the network module's own default
    rank = int(
        _number(config, ("network_dim", "lora_rank"), DEFAULT_NETWORK_DIM if rank_default is None else rank_default)
    )
    checkpointing = _flag(config, "gradient_checkpointing")
    unet_only = _flag(config, "network_train_unet_only") or arch.te_lora_params_per_rank == 0
    te_only = _flag(config, "network_train_text_encoder_only")
    cache_te = _flag(config, "cache_text_encoder_outputs") or _flag(config, "cache_text_encoder_outputs_to_disk")
    cache_latents = _flag(config, "cache_latents") or _flag(config, "cache_latents_to_disk")
    notes.append(
        f"family {arch.family} from {source}; denoiser {arch.denoiser_params / 1e9:.2f} B, text encoders "
        f"{sum(arch.text_encoder_params) / 1e9:.2f} B, native {arch.native_resolution}px"
    )

    # Frozen weights.
    denoiser_bytes = 1.0 if fp8 else weight_bytes
    denoiser = arch.denoiser_params * denoiser_bytes
    notes.append("denoiser in fp8" if fp8 else f"weights in {precision if half else 'fp32 (mixed_precision no)'}")
    swap = int(_number(config, ("blocks_to_swap",), 0))
    if swap > 0 and arch.family in {"flux", "sd3"}:
        if arch.family == "flux":
            swap = min(swap, 35)
            swapped = (swap // 2) * _FLUX_DOUBLE + (swap - swap // 2) * 2 * _FLUX_SINGLE
            in_flight = _FLUX_DOUBLE
        else:
            swapped = arch.denoiser_params * min(swap, 22) // 24
            in_flight = arch.denoiser_params // 24
        denoiser -= (swapped - in_flight) * denoiser_bytes
        notes.append(
            f"blocks_to_swap {swap}: {swapped / 1e9:.1f} B parameters live in CPU memory (one block in flight)"
        )
    te_resident = not cache_te or not unet_only
    text_encoders = 0.0
    if te_resident:
        for count in arch.text_encoder_params:
            big = count > 1_000_000_000  # T5-XXL: kohya stores it in fp8 with fp8_base
            text_encoders += count * (1.0 if big and fp8 else weight_bytes)
    else:
        notes.append("text-encoder outputs cached and encoders not trained: encoders moved off the GPU")
    if cache_latents:
        vae = 0.0
        notes.append("latents cached: the VAE is off the GPU while training")
    else:
        vae = arch.vae_params * 4.0 + batch * width * height * 768.0
        notes.append("latents not cached: fp32 VAE and its encoder activations on the GPU every step")

    # LoRA parameters, gradients, optimizer.
    denoiser_lora = rank * arch.lora_params_per_rank
    conv_rank = conv_dim(config)
    if conv_rank is not None and arch.conv_params_per_rank:
        denoiser_lora += rank * arch.conv_block_params_per_rank + conv_rank * arch.conv_params_per_rank
        notes.append(f"conv_dim {conv_rank}: the ResNet and up/down-sampling blocks are adapted too")
    te_lora = rank * arch.te_lora_params_per_rank
    trainable = (0 if te_only else denoiser_lora) + (0 if unet_only else te_lora)
    est.trainable_parts = {"denoiser": 0 if te_only else denoiser_lora, "text encoders": 0 if unet_only else te_lora}
    approximated = network_approximation(config)
    if approximated:
        notes.append(approximated)
    train_bytes = 2.0 if _flag(config, "full_fp16") or _flag(config, "full_bf16") else 4.0
    optimizer_name = effective.kohya_optimizer(config)
    key = optimizer_name.lower().replace("_", "").replace(".", "").rsplit("optim", 1)[-1]
    state = _OPTIMIZERS.get(key.replace("bitsandbytesoptim", ""), 8.0)
    if key not in _OPTIMIZERS:
        notes.append(f"optimizer `{optimizer_name}` not in the table: counted as AdamW (two fp32 states)")
    notes.append(
        f"LoRA dim {rank}: {trainable / 1e6:.1f} M parameters "
        f"({'denoiser only' if unet_only else 'text encoder only' if te_only else 'denoiser + text encoder'}); "
        f"{optimizer_name}: {state:g} bytes of state per parameter"
    )

    # Activations.
    scale = (width * height) / arch.native_resolution**2
    activations = arch.activation_bytes * scale * batch * (1.0 if half else 2.0)
    if checkpointing:
        activations *= arch.checkpointed_fraction
    efficient = any(_flag(config, k) for k in ("xformers", "sdpa", "mem_eff_attn")) or arch.family in {"flux", "sd3"}
    if not efficient:
        tokens = (width // 8) * (height // 8) // (4 if arch.family == "sdxl" else 1)
        blocks = 1 if checkpointing else (10 if arch.family == "sdxl" else 5)
        activations += batch * 8 * tokens * tokens * 4.0 * blocks
        notes.append("no xformers/sdpa/mem_eff_attn: attention matrices stored (quadratic in pixels)")
    notes.append(
        f"{width}x{height}, batch {batch}, gradient checkpointing {'on' if checkpointing else 'off'}; "
        "activation constants calibrated per family (docs/estimate.md)"
    )
    weights = denoiser + text_encoders + vae
    tensors = weights + trainable * (2 * train_bytes + state) + activations
    est.params = arch.denoiser_params + sum(arch.text_encoder_params) + arch.vae_params
    est.trainable_params = trainable
    est.breakdown = {
        "weights": weights,
        "trainable": trainable * train_bytes,
        "gradients": trainable * train_bytes,
        "optimizer": trainable * state,
        "activations": activations,
        "overhead": CONTEXT_BYTES + FRAGMENTATION * tensors,
    }
    notes.append("overhead: 0.5 GiB CUDA context and workspaces, plus 5 % allocator fragmentation")
    return est

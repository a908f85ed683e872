"""Diffusion U-Nets (lora-scripts text-to-image, kohya / SD-Trainer): LoRA as sd-scripts places it.

sd-scripts' `networks.lora` adapts every Linear and 1x1 Conv inside the U-Net's transformer
blocks; with `conv_dim` (or lora-scripts `conv_lora_rank`) also the 3x3 convolutions of the
ResNet, down- and up-sampling blocks, at their own rank and alpha. The batch is noise-
prediction training: latents at resolution/8, text embeddings of 77 tokens, random timesteps.
Imports torch, diffusers and peft; only `lorachecks dry-run` reaches this module.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from lorachecks.dryrun.config import DryRunError, Plan
from lorachecks.dryrun.source import FAMILY_NAMES, require_weights, single_file_family
from lorachecks.dryrun.step import (
    DTYPES,
    Choice,
    LossFn,
    choose_device,
    count,
    cpu_peak_bytes,
    size_step,
    train_steps,
    verdicts,
)

if TYPE_CHECKING:
    from lorachecks.dryrun.report import Report
    from lorachecks.dryrun.runner import Options

ATTENTION_BLOCKS = ("Transformer2DModel",)
CONV_BLOCKS = ("ResnetBlock2D", "Downsample2D", "Upsample2D")


_SD1_BLOCKS: dict[str, Any] = {
    "block_out_channels": (320, 640, 1280, 1280),
    "down_block_types": ("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    "up_block_types": ("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    "layers_per_block": 2,
}
# U-Net configurations of the single-file checkpoint families (the published architectures).
SINGLE_FILE_CONFIGS: dict[str, dict[str, Any]] = {
    "sd1": {**_SD1_BLOCKS, "sample_size": 64, "cross_attention_dim": 768, "attention_head_dim": 8},
    "sd2": {
        **_SD1_BLOCKS,
        "sample_size": 96,
        "cross_attention_dim": 1024,
        "attention_head_dim": (5, 10, 20, 20),
        "use_linear_projection": True,
    },
    "sdxl": {
        "sample_size": 128,
        "block_out_channels": (320, 640, 1280),
        "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        "up_block_types": ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        "layers_per_block": 2,
        "transformer_layers_per_block": (1, 2, 10),
        "attention_head_dim": (5, 10, 20),
        "cross_attention_dim": 2048,
        "use_linear_projection": True,
        "addition_embed_type": "text_time",
        "addition_time_embed_dim": 256,
        "projection_class_embeddings_input_dim": 2816,
    },
}


def build(folder: Path, plan: Plan, device: str, dtype: torch.dtype, init: str = "weights") -> nn.Module:
    """The U-Net: from a diffusers folder, or a single file's family configuration (never its weights).

    On meta, and with ``init="random"``, from the configuration alone with random weights.
    """
    from diffusers import UNet2DConditionModel

    try:
        if folder.is_file():
            family, _ = single_file_family(folder, plan)
            config: Any = SINGLE_FILE_CONFIGS[family]
        else:
            config = UNet2DConditionModel.load_config(str(folder))
        if device == "meta" or init == "random" or folder.is_file():
            torch.manual_seed(0)  # random weights, the same on every run
            with torch.device(device):
                model = UNet2DConditionModel.from_config(config)
            return model.to(dtype)  # type: ignore[no-any-return]
        model = UNet2DConditionModel.from_pretrained(str(folder), torch_dtype=dtype)
        return model.to(device)  # type: ignore[no-any-return]
    except torch.OutOfMemoryError as exc:
        raise DryRunError(
            "DR106", f"out of memory loading the U-Net: {exc}", plan.model_key, "try --device meta"
        ) from None
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
        text = str(exc).strip().splitlines()
        raise DryRunError(
            "DR105", f"loading the U-Net failed: {type(exc).__name__}: {text[0][:300] if text else ''}", plan.model_key
        ) from None


def targets(model: nn.Module, with_conv: bool) -> tuple[list[str], list[str]]:
    """(modules at the network rank, 3x3 convolutions at the conv rank), as sd-scripts selects them.

    Inside each transformer block every Linear and 1x1 Conv2d; with ``with_conv`` (a
    `conv_dim` is given) also inside the ResNet and up/down-sampling blocks, where the Linear
    (`time_emb_proj`) and 1x1 shortcuts take the network rank and the 3x3 convolutions the
    conv rank.
    """
    blocks = ATTENTION_BLOCKS + (CONV_BLOCKS if with_conv else ())
    linear: list[str] = []
    conv: list[str] = []
    for block_name, block in model.named_modules():
        if type(block).__name__ not in blocks:
            continue
        for child_name, child in block.named_modules():
            if not child_name:
                continue
            name = f"{block_name}.{child_name}"
            if isinstance(child, nn.Linear) or (isinstance(child, nn.Conv2d) and child.kernel_size == (1, 1)):
                linear.append(name)
            elif isinstance(child, nn.Conv2d):
                conv.append(name)
    return sorted(set(linear)), sorted(set(conv))


def adapt(model: nn.Module, plan: Plan) -> tuple[nn.Module, list[str]]:
    import peft

    linear, conv = targets(model, plan.conv_rank is not None)
    if not plan.conv_rank:
        conv = []  # conv_dim = 0: sd-scripts skips the 3x3 convolutions, the blocks' other layers stay
    if not linear:
        raise DryRunError(
            "DR201",
            "the U-Net has no transformer blocks for LoRA to adapt",
            plan.target_key,
            "is this a U-Net with cross-attention?",
        )
    model.requires_grad_(False)
    rank_pattern = {re.escape(n): plan.conv_rank for n in conv}
    alpha_pattern = {re.escape(n): plan.conv_alpha for n in conv}
    try:
        config = peft.LoraConfig(
            r=plan.rank,
            lora_alpha=plan.alpha if plan.alpha is not None else plan.rank,  # type: ignore[arg-type]
            lora_dropout=plan.dropout,
            target_modules=linear + conv,
            rank_pattern=rank_pattern,
            alpha_pattern=alpha_pattern,
        )
        on_meta = next(model.parameters()).device.type == "meta"
        with torch.device("meta") if on_meta else contextlib.nullcontext():
            peft.inject_adapter_in_model(config, model)
    except ValueError as exc:
        raise DryRunError(
            "DR202", f"peft refuses the adapter: {str(exc).splitlines()[0][:300]}", _rank_key(plan)
        ) from None
    for name, param in model.named_parameters():
        param.requires_grad_("lora_" in name)
        if "lora_" in name and param.dtype != torch.float32:
            param.data = param.data.float()
    return model, linear + conv


def _rank_key(plan: Plan) -> str:
    return "network_dim" if plan.kind == "kohya" else "lora_rank"


def make_batch(model: nn.Module, plan: Plan, device: str, dtype: torch.dtype) -> tuple[dict[str, Any], str]:
    config: Any = model.config
    width, height = plan.resolution
    if width % 8 or height % 8 or width <= 0 or height <= 0:
        raise DryRunError("DR002", f"resolution {width}x{height} is not a positive multiple of 8", "resolution")
    cross = config.cross_attention_dim
    cross_dim = int(cross[0] if isinstance(cross, (list, tuple)) else cross)
    generator = torch.Generator().manual_seed(0)
    bs = plan.batch_size
    if bs <= 0:
        raise DryRunError("DR002", f"batch size {bs} is not positive", plan.batch_key)

    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=generator).to(device=device, dtype=dtype)

    batch: dict[str, Any] = {
        "sample": rand(bs, int(config.in_channels), height // 8, width // 8),
        "timestep": torch.randint(0, 1000, (bs,), generator=generator).to(device),
        "encoder_hidden_states": rand(bs, 77, cross_dim),
    }
    if getattr(config, "addition_embed_type", None) == "text_time":  # SDXL: pooled text + size/crop ids
        time_dim = int(config.addition_time_embed_dim) * 6
        pooled = int(config.projection_class_embeddings_input_dim) - time_dim
        batch["added_cond_kwargs"] = {"text_embeds": rand(bs, pooled), "time_ids": rand(bs, 6)}
    noise = rand(*batch["sample"].shape)
    batch["noise"] = noise
    return batch, f"{bs} x latents {tuple(batch['sample'].shape[1:])}, text embeddings (77, {cross_dim})"


def loss_fn(batch: dict[str, Any]) -> LossFn:
    inputs = {k: v for k, v in batch.items() if k != "noise"}

    def compute(model: nn.Module) -> torch.Tensor:
        prediction = model(**inputs).sample
        return torch.nn.functional.mse_loss(prediction.float(), batch["noise"].float())

    return compute


def run_diffusion(plan: Plan, options: Options, folder: Path, report: Report) -> None:
    dtype = DTYPES[plan.precision]
    report.dtype = str(dtype).removeprefix("torch.")
    shape_model, _ = adapt(build(folder, plan, "meta", dtype), plan)
    total, trainable = count(shape_model)
    need = size_step(report, total, trainable, dtype)
    if folder.is_file():
        family, in_file = single_file_family(folder, plan)
        built = sum(p.numel() for n, p in shape_model.named_parameters() if "lora_" not in n)
        if built != in_file:
            report.notes.append(
                f"the {FAMILY_NAMES[family]} U-Net built here has {built:,} parameters, the checkpoint {in_file:,}"
            )
        if options.init == "random":
            choice = choose_device(options.device, need)
            report.notes.append(
                f"single-file {FAMILY_NAMES[family]} checkpoint: the U-Net is built from the published "
                "configuration with random weights, the file's weights unread"
            )
        elif options.device in ("cpu", "cuda"):
            raise DryRunError(
                "DR002",
                f"{folder.name} is a single-file checkpoint: its weights are not converted, so only --device meta "
                "or --init random runs it",
                plan.model_key,
                "use --device meta, --init random (a real step with random weights), or a diffusers folder",
            )
        else:
            report.notes.append(
                f"single-file {FAMILY_NAMES[family]} checkpoint: the U-Net is built on meta, weights unread"
            )
            choice = Choice("meta", f"{options.device}: single-file checkpoint, architecture from its header")
    else:
        choice = choose_device(options.device, need)
        if choice.device != "meta" and options.init == "weights":
            require_weights(folder, plan)
    report.device, report.device_reason = choice.device, choice.reason
    if choice.device == "meta":
        model, names = shape_model, targets(shape_model, False)[0]
        report.load_time = 0.0
    else:
        del shape_model
        if choice.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        base = build(folder, plan, choice.device, dtype, options.init)
        if plan.gradient_checkpointing:
            base.enable_gradient_checkpointing()  # type: ignore[operator]
        model, names = adapt(base, plan)
        report.load_time = time.perf_counter() - start
    lora_modules = sorted(n for n, m in model.named_modules() if isinstance(getattr(m, "lora_A", None), nn.ModuleDict))
    report.adapter_modules, report.adapter_module_names = len(lora_modules), lora_modules
    del names
    report.total_params, report.trainable_params = count(model)
    batch, report.batch = make_batch(model, plan, choice.device, dtype)
    result = train_steps(model, plan, choice.device, max(1, options.steps), loss_fn(batch))
    report.losses, report.final_loss, report.grad_norm = result.losses, result.final_loss, result.grad_norm
    report.grads, report.step_times = result.grads, result.step_times
    if choice.device == "cuda":
        report.peak_memory, report.peak_memory_source = (
            torch.cuda.max_memory_allocated(),
            "torch.cuda.max_memory_allocated",
        )
    elif choice.device == "cpu":
        report.peak_memory, report.peak_memory_source = (
            cpu_peak_bytes(),
            "process peak RSS (includes Python and libraries)",
        )
    else:
        report.peak_memory_source = "meta tensors use no memory"
    verdicts(report, plan, result)
    if options.save:
        _save(model, report, choice.device, plan)


def _save(model: nn.Module, report: Report, device: str, plan: Plan) -> None:
    import tempfile

    from safetensors.torch import load_file, save_file

    if device == "meta":
        report.notes.append("--save skipped: meta tensors have no values to write")
        return
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if "lora_" in k}
    with tempfile.TemporaryDirectory(prefix="lorachecks-dryrun-") as folder:
        file = Path(folder) / "lora_weights.safetensors"
        try:
            save_file(state, str(file))
            loaded = load_file(str(file))
        except (OSError, RuntimeError, ValueError) as exc:
            raise DryRunError("DR401", f"saving failed: {type(exc).__name__}: {str(exc)[:300]}", "output_dir") from None
        differ = [k for k, v in state.items() if k not in loaded or not torch.equal(loaded[k], v)]
        if differ:
            raise DryRunError(
                "DR402", f"{len(differ)} tensor(s) differ after reloading, e.g. {differ[0]}", "output_dir"
            )
        report.saved = f"ok: {file.name} ({file.stat().st_size:,} bytes, {len(state)} tensors) in a temporary folder, reloaded, identical"

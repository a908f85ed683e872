"""Compare `lorachecks estimate` with published memory figures; print estimate/published.

Run from the repository root:  python benchmarks/estimate_vs_published.py

1. Every cell of the LLaMA-Factory README hardware table (methods x 7B/14B/30B/70B). The
   table has no batch or sequence term; the implied settings assumed here are stated in
   IMPLIED and in docs/estimate.md. Totals are for one (hypothetical) device holding the
   whole run, because the table gives the memory a run needs, not a per-GPU figure.
2. The published SD1.5 / SDXL / FLUX LoRA figures (kohya sd-scripts and its users), each
   with the settings it was published for.

The GPU comparison (estimate / peak measured by a dry-run on CUDA) needs a GPU and is not
part of this script's output when none is present.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lorachecks.estimate import estimate_llm, estimate_sd

GB = 1e9  # the published tables write GB; compare in the same unit

# Representative models for the table's nominal sizes (in the built-in catalogue).
SIZES = {
    "7B": "meta-llama/Llama-2-7b-hf",
    "14B": "Qwen/Qwen2.5-14B",
    "30B": "huggyllama/llama-30b",
    "70B": "meta-llama/Llama-2-70b-hf",
}
# Implied settings of the table: one sequence of 512 tokens, LLaMA-Factory defaults
# (gradient checkpointing on, SDPA attention, AdamW), bf16 mixed precision.
IMPLIED: dict[str, Any] = {
    "per_device_train_batch_size": 1,
    "cutoff_len": 512,
    "bf16": True,
    "lora_rank": 8,
    "lora_target": "q_proj,v_proj",  # the examples of the table's time (early 2024) used these
}
# Method rows: (label, config overrides, published GB for 7B/14B/30B/70B).
METHODS: list[tuple[str, dict[str, Any], tuple[float, ...]]] = [
    ("full (bf16 mixed)", {"finetuning_type": "full"}, (120, 240, 600, 1200)),
    ("full (pure_bf16)", {"finetuning_type": "full", "pure_bf16": True}, (60, 120, 300, 600)),
    ("LoRA/freeze 16-bit", {"finetuning_type": "lora"}, (16, 32, 64, 160)),
    ("QLoRA 8-bit", {"finetuning_type": "lora", "quantization_bit": 8}, (10, 20, 40, 80)),
    ("QLoRA 4-bit", {"finetuning_type": "lora", "quantization_bit": 4}, (6, 12, 24, 48)),
    (
        "QLoRA 2-bit (HQQ)",
        {"finetuning_type": "lora", "quantization_bit": 2, "quantization_method": "hqq"},
        (4, 8, 16, 24),
    ),
]

# Published SD-family figures: (label, kohya-style config, published GB low, high).
SD_CASES: list[tuple[str, dict[str, Any], float, float]] = [
    (
        "SD1.5 LoRA 512 b1 ckpt cache AdamW8bit",
        {"pretrained_model_name_or_path": "runwayml/stable-diffusion-v1-5", "resolution": "512,512",
         "train_batch_size": 1, "gradient_checkpointing": True, "cache_latents": True,
         "optimizer_type": "AdamW8bit", "mixed_precision": "fp16", "network_dim": 32, "sdpa": True},
        6, 8,
    ),
    (
        "SDXL LoRA 1024 b1 U-Net only ckpt cache 8bit dim 8",
        {"pretrained_model_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0", "resolution": "1024,1024",
         "train_batch_size": 1, "gradient_checkpointing": True, "cache_latents": True,
         "cache_text_encoder_outputs": True, "network_train_unet_only": True, "optimizer_type": "AdamW8bit",
         "mixed_precision": "bf16", "network_dim": 8, "sdpa": True},
        8, 8,
    ),
    (
        "SDXL LoRA 1024 b1 typical (ckpt, cache, TE too, dim 32)",
        {"pretrained_model_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0", "resolution": "1024,1024",
         "train_batch_size": 1, "gradient_checkpointing": True, "cache_latents": True,
         "optimizer_type": "AdamW8bit", "mixed_precision": "bf16", "network_dim": 32, "sdpa": True},
        10, 12,
    ),
    (
        "SDXL LoRA 1024 b4 bf16 (measured; checkpointing off assumed)",
        {"pretrained_model_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0", "resolution": "1024,1024",
         "train_batch_size": 4, "gradient_checkpointing": False, "cache_latents": True,
         "optimizer_type": "AdamW", "mixed_precision": "bf16", "full_bf16": True, "network_dim": 32, "sdpa": True},
        31, 31,
    ),
]  # fmt: skip
_FLUX = {
    "pretrained_model_name_or_path": "black-forest-labs/FLUX.1-dev",
    "resolution": "1024,1024",
    "gradient_checkpointing": True,
    "cache_latents": True,
    "cache_text_encoder_outputs": True,
    "network_train_unet_only": True,
    "optimizer_type": "AdamW8bit",
    "mixed_precision": "bf16",
    "network_dim": 16,
    "sdpa": True,
}
SD_CASES += [
    ("FLUX LoRA 1024 b2 fp8", {**_FLUX, "train_batch_size": 2, "fp8_base": True}, 24, 24),
    ("FLUX LoRA 1024 b1 fp8 swap 0", {**_FLUX, "train_batch_size": 1, "fp8_base": True}, 16, 16),
    ("FLUX LoRA 1024 b1 fp8 swap 16", {**_FLUX, "train_batch_size": 1, "fp8_base": True, "blocks_to_swap": 16}, 12, 12),
    ("FLUX LoRA 1024 b1 fp8 swap 22", {**_FLUX, "train_batch_size": 1, "fp8_base": True, "blocks_to_swap": 22}, 10, 10),
    ("FLUX LoRA 1024 b1 fp8 swap 28", {**_FLUX, "train_batch_size": 1, "fp8_base": True, "blocks_to_swap": 28}, 8, 8),
]


def llamafactory_table() -> list[float]:
    print("LLaMA-Factory README table (estimate GB / published GB = ratio)")
    print(f"implied settings: {IMPLIED}, gradient checkpointing on, SDPA attention, AdamW, 1 device")
    print(
        f"{'method':<20}" + "".join(f"{size + ' (' + model.split('/')[-1] + ')':>34}" for size, model in SIZES.items())
    )
    ratios = []
    for label, overrides, published in METHODS:
        cells = []
        for (_size, model), pub in zip(SIZES.items(), published, strict=False):
            est = estimate_llm({"model_name_or_path": model, **IMPLIED, **overrides})
            ratio = est.total_bytes / GB / pub
            ratios.append(ratio)
            cells.append(f"{est.total_bytes / GB:7.1f} / {pub:5.0f} = {ratio:4.2f}")
        print(f"{label:<20}" + "".join(f"{c:>34}" for c in cells))
    freeze = []
    for (_size, model), pub in zip(SIZES.items(), METHODS[2][2], strict=True):
        est = estimate_llm({"model_name_or_path": model, **IMPLIED, "finetuning_type": "freeze"})
        freeze.append(f"{est.total_bytes / GB:7.1f} / {pub:5.0f} = {est.total_bytes / GB / pub:4.2f}")
    print(f"{'(freeze, 2 layers)':<20}" + "".join(f"{c:>34}" for c in freeze) + "   <- same cell, not counted")
    print(f"ratio range {min(ratios):.2f}-{max(ratios):.2f}; cells within 25 %: "
          f"{sum(0.75 <= r <= 1.25 for r in ratios)}/{len(ratios)}")  # fmt: skip
    return ratios


def sd_figures() -> list[float]:
    print("\nPublished SD-family figures (estimate GB / published GB = ratio to the range's middle)")
    ratios = []
    for label, config, low, high in SD_CASES:
        est = estimate_sd(config)
        total = est.total_bytes / GB
        mid = (low + high) / 2
        ratios.append(total / mid)
        span = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        print(f"  {label:<55} {total:6.1f} / {span:>5} = {total / mid:4.2f}")
    return ratios


def measured(path: Path) -> list[float]:
    """Ratios estimate / measured for peaks recorded on a GPU.

    ``path`` is a JSON list of {"label": str, "config": {LLaMA-Factory keys}, "peak_gib": float},
    where peak_gib is ``torch.cuda.max_memory_reserved()`` of a training step of that config
    (random weights, real dimensions); nothing here is measured by this script itself.
    """
    cases = json.loads(path.read_text(encoding="utf-8"))
    print(f"\nMeasured peaks from {path} (estimate GiB / measured GiB = ratio)")
    ratios = []
    for case in cases:
        est = estimate_llm(case["config"], path.parent)
        if est.total_gib is None:
            print(f"  {case['label']:<55} no estimate: {est.model_source}")
            continue
        ratio = est.total_gib / float(case["peak_gib"])
        ratios.append(ratio)
        print(f"  {case['label']:<55} {est.total_gib:6.2f} / {float(case['peak_gib']):6.2f} = {ratio:4.2f}")
    return ratios


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measured", type=Path, help="JSON file of peaks measured on a GPU (see measured())")
    args = parser.parse_args(argv)
    llamafactory_table()
    sd_figures()
    if args.measured is not None:
        measured(args.measured)
    else:
        print("\nmeasured on GPU: none given (--measured FILE); no GPU peaks are part of this output")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Tiny real files for the Stable Diffusion checks: PNGs, safetensors headers, kohya folders."""

from __future__ import annotations

import json
import math
import struct
import zlib
from pathlib import Path

# Tensor names that mark each family (a few per family; shapes kept tiny).
FAMILY_TENSORS: dict[str, dict[str, tuple[int, ...]]] = {
    "SD1": {
        "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight": (8, 4),
        "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": (4, 4),
        "first_stage_model.decoder.conv_in.weight": (4, 4),
    },
    "SD2": {
        "cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight": (12, 4),
        "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": (4, 4),
    },
    "SDXL": {
        "conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight": (12, 4),
        "model.diffusion_model.label_emb.0.0.weight": (4, 4),
    },
    "SD3": {
        "model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight": (12, 4),
        "model.diffusion_model.context_embedder.weight": (4, 4),
    },
    "FLUX": {
        "double_blocks.0.img_attn.qkv.weight": (12, 4),
        "single_blocks.0.linear1.weight": (8, 4),
    },
    "LLM": {"model.embed_tokens.weight": (8, 4), "model.layers.0.self_attn.q_proj.weight": (4, 4)},
    "LoRA": {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": (4, 2)},
}


def write_png(path: Path, width: int, height: int, colour: tuple[int, int, int] = (200, 120, 40)) -> Path:
    """A real RGB PNG of the given size, written with zlib only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(colour) * width
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return path


def write_safetensors(path: Path, tensors: dict[str, tuple[int, ...]], dtype: str = "F16") -> Path:
    """A valid safetensors file (zero weights) with the given tensor names and shapes."""
    width = {"F16": 2, "BF16": 2, "F32": 4}[dtype]
    table: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in tensors.items():
        size = math.prod(shape) * width
        table[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    header = json.dumps(table).encode()
    header += b" " * (-len(header) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(offset))
    return path


def write_family(path: Path, family: str) -> Path:
    return write_safetensors(path, FAMILY_TENSORS[family])


def write_placeholder(path: Path, size: int = 4096) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(size))
    return path


def lora_scripts_images(folder: Path, metadata: str = "metadata.csv", size: int = 64) -> None:
    """A lora-scripts image folder the trainer can read: two PNGs and their captions."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("a.png", "b.png"):
        write_png(folder / name, size, size)
    (folder / metadata).write_text("filename,caption\na.png,a tiny cat\nb.png,a tiny dog\n", encoding="utf-8")

"""What a base-model checkpoint is, from its safetensors header alone (no weights loaded).

The tensor names tell the model families apart: the SDXL U-Net has a ``label_emb`` and two
text encoders (``conditioner.embedders``), SD 2.x uses OpenCLIP (``cond_stage_model.model``)
where SD 1.x uses CLIP (``cond_stage_model.transformer``), SD3 has ``joint_blocks`` and FLUX
``double_blocks``/``single_blocks``. A U-Net-only SD file is told apart by the width of its
cross-attention keys (768 for SD 1.x, 1024 for SD 2.x, 2048 for SDXL).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

from lorachecks.core.records import record
from lorachecks.files.safetensors_header import NotSafetensors, SafetensorsHeader, read_header

SD1, SD2, SDXL, SD3, FLUX, LLM, LORA = "SD1", "SD2", "SDXL", "SD3", "FLUX", "LLM", "LoRA"
TITLES = {
    SD1: "Stable Diffusion 1.x",
    SD2: "Stable Diffusion 2.x",
    SDXL: "SDXL",
    SD3: "Stable Diffusion 3",
    FLUX: "FLUX",
    LLM: "language model",
    LORA: "LoRA adapter",
}
# The resolution each image family was trained at.
NATIVE_RESOLUTION = {SD1: 512, SD2: 768, SDXL: 1024, SD3: 1024, FLUX: 1024}
CHECKPOINT_SUFFIXES = frozenset({".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft"})


def family_of(header: SafetensorsHeader) -> str | None:
    names = list(header.tensors)

    def has(*parts: str) -> bool:
        return any(part in name for name in names for part in parts)

    if has("lora_up.", "lora_down.", "lora_A.", "lora_B.", ".hada_w1", ".lokr_w1"):
        return LORA
    if has("double_blocks.", "single_transformer_blocks."):
        return FLUX
    if has("joint_blocks.", "context_embedder.") and not has("single_blocks."):
        return SD3
    if has("conditioner.embedders.1.", "diffusion_model.label_emb.", "add_embedding.linear_1."):
        return SDXL
    if has("cond_stage_model.model.transformer.", "cond_stage_model.model.token_embedding"):
        return SD2
    if has("cond_stage_model.transformer."):
        return SD1
    if has("model.layers.", "embed_tokens.", "lm_head.", "transformer.h.0."):
        return LLM
    widths = Counter(
        info.shape[1] for name, info in header.tensors.items() if "attn2.to_k.weight" in name and len(info.shape) == 2
    )
    if widths:
        width = widths.most_common(1)[0][0]
        return {768: SD1, 1024: SD2, 2048: SDXL}.get(width)
    return None


@record(frozen=True, slots=True)
class Checkpoint:
    path: Path
    family: str | None
    parameters: int
    dtypes: tuple[str, ...]

    @property
    def title(self) -> str:
        return TITLES.get(self.family or "", "unrecognised model")


@lru_cache(maxsize=32)
def _inspect(path: Path, mtime_ns: int, size: int) -> Checkpoint | str:
    try:
        header = read_header(path)
    except NotSafetensors as exc:
        return str(exc)
    except OSError as exc:
        return exc.strerror or str(exc)
    dtypes = Counter(t.dtype for t in header.tensors.values())
    return Checkpoint(path, family_of(header), header.parameter_count, tuple(d for d, _ in dtypes.most_common()))


def inspect(path: Path) -> Checkpoint | str:
    """The checkpoint's family and size, or why it is not a readable safetensors file."""
    try:
        stat = path.stat()
    except OSError as exc:
        return exc.strerror or str(exc)
    return _inspect(path, stat.st_mtime_ns, stat.st_size)


def billions(count: int) -> str:
    if count >= 100_000_000:
        return f"{count / 1e9:.2f} B"
    return f"{count / 1e6:.1f} M" if count >= 100_000 else f"{count:,}"

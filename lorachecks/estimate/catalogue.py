"""Built-in dimensions of common models, keyed by hub id (lower-cased).

Figures are the ones in each model's published ``config.json`` (hidden size, layers, heads,
key/value heads, MLP width, vocabulary, tied embeddings, context length). Diffusion
families carry component parameter counts and the calibrated activation constants
described in docs/estimate.md. Lookup ignores case and an ``-Instruct``/``-Chat`` style
suffix, so fine-tuned variants with the base model's dimensions are found too.
"""

from __future__ import annotations

import re

from lorachecks.core.records import replace
from lorachecks.estimate.architecture import DiffusionArch, LLMArch

_M = 1_000_000


def _llama(h: int, n: int, a: int, kv: int, i: int, v: int, ctx: int, **extra: object) -> LLMArch:
    return LLMArch(hidden=h, layers=n, heads=a, kv_heads=kv, intermediate=i, vocab=v, max_position=ctx, **extra)  # type: ignore[arg-type]


_LLAMA2_7B = _llama(4096, 32, 32, 32, 11008, 32000, 4096, model_type="llama")
_LLAMA3_8B = _llama(4096, 32, 32, 8, 14336, 128256, 131072, model_type="llama")
_LLAMA3_70B = _llama(8192, 80, 64, 8, 28672, 128256, 131072, model_type="llama")
_QWEN25_7B = _llama(3584, 28, 28, 4, 18944, 152064, 32768, model_type="qwen2")

LLM_CATALOGUE: dict[str, LLMArch] = {
    # Llama
    "meta-llama/llama-2-7b-hf": _LLAMA2_7B,
    "meta-llama/llama-2-13b-hf": _llama(5120, 40, 40, 40, 13824, 32000, 4096, model_type="llama"),
    "meta-llama/llama-2-70b-hf": _llama(8192, 80, 64, 8, 28672, 32000, 4096, model_type="llama"),
    "huggyllama/llama-7b": _llama(4096, 32, 32, 32, 11008, 32000, 2048, model_type="llama"),
    "huggyllama/llama-13b": _llama(5120, 40, 40, 40, 13824, 32000, 2048, model_type="llama"),
    "huggyllama/llama-30b": _llama(6656, 60, 52, 52, 17920, 32000, 2048, model_type="llama"),
    "huggyllama/llama-65b": _llama(8192, 80, 64, 64, 22016, 32000, 2048, model_type="llama"),
    "meta-llama/meta-llama-3-8b": _llama(4096, 32, 32, 8, 14336, 128256, 8192, model_type="llama"),
    "meta-llama/meta-llama-3-70b": _llama(8192, 80, 64, 8, 28672, 128256, 8192, model_type="llama"),
    "meta-llama/llama-3.1-8b": _LLAMA3_8B,
    "meta-llama/llama-3.1-70b": _LLAMA3_70B,
    "meta-llama/llama-3.3-70b": _LLAMA3_70B,
    "meta-llama/llama-3.2-1b": _llama(2048, 16, 32, 8, 8192, 128256, 131072, head_dim=64, tied=True),
    "meta-llama/llama-3.2-3b": _llama(3072, 28, 24, 8, 8192, 128256, 131072, tied=True),
    # Qwen
    "qwen/qwen2.5-0.5b": _llama(896, 24, 14, 2, 4864, 151936, 32768, tied=True, model_type="qwen2"),
    "qwen/qwen2.5-1.5b": _llama(1536, 28, 12, 2, 8960, 151936, 32768, tied=True, model_type="qwen2"),
    "qwen/qwen2.5-3b": _llama(2048, 36, 16, 2, 11008, 151936, 32768, tied=True, model_type="qwen2"),
    "qwen/qwen2.5-7b": _QWEN25_7B,
    "qwen/qwen2.5-14b": _llama(5120, 48, 40, 8, 13824, 152064, 32768, model_type="qwen2"),
    "qwen/qwen2.5-32b": _llama(5120, 64, 40, 8, 27648, 152064, 32768, model_type="qwen2"),
    "qwen/qwen2.5-72b": _llama(8192, 80, 64, 8, 29568, 152064, 32768, model_type="qwen2"),
    "qwen/qwen3-0.6b": _llama(1024, 28, 16, 8, 3072, 151936, 40960, head_dim=128, tied=True, model_type="qwen3"),
    "qwen/qwen3-1.7b": _llama(2048, 28, 16, 8, 6144, 151936, 40960, head_dim=128, tied=True, model_type="qwen3"),
    "qwen/qwen3-4b": _llama(2560, 36, 32, 8, 9728, 151936, 40960, head_dim=128, tied=True, model_type="qwen3"),
    "qwen/qwen3-4b-instruct-2507": _llama(
        2560, 36, 32, 8, 9728, 151936, 262144, head_dim=128, tied=True, model_type="qwen3"
    ),
    "qwen/qwen3-8b": _llama(4096, 36, 32, 8, 12288, 151936, 40960, head_dim=128, model_type="qwen3"),
    "qwen/qwen3-14b": _llama(5120, 40, 40, 8, 17408, 151936, 40960, head_dim=128, model_type="qwen3"),
    "qwen/qwen3-32b": _llama(5120, 64, 64, 8, 25600, 151936, 40960, head_dim=128, model_type="qwen3"),
    "qwen/qwen3-30b-a3b": _llama(
        2048,
        48,
        32,
        4,
        6144,
        151936,
        40960,
        head_dim=128,
        experts=128,
        experts_per_token=8,
        moe_intermediate=768,
        model_type="qwen3_moe",
    ),
    # Mistral
    "mistralai/mistral-7b-v0.1": _llama(4096, 32, 32, 8, 14336, 32000, 32768, model_type="mistral"),
    "mistralai/mistral-7b-v0.3": _llama(4096, 32, 32, 8, 14336, 32768, 32768, model_type="mistral"),
    "mistralai/mistral-nemo-base-2407": _llama(5120, 40, 32, 8, 14336, 131072, 131072, head_dim=128),
    "mistralai/mixtral-8x7b-v0.1": _llama(
        4096,
        32,
        32,
        8,
        14336,
        32000,
        32768,
        experts=8,
        experts_per_token=2,
        moe_intermediate=14336,
        model_type="mixtral",
    ),
    # Gemma
    "google/gemma-2b": _llama(2048, 18, 8, 1, 16384, 256000, 8192, head_dim=256, tied=True, model_type="gemma"),
    "google/gemma-7b": _llama(3072, 28, 16, 16, 24576, 256000, 8192, head_dim=256, tied=True, model_type="gemma"),
    "google/gemma-2-2b": _llama(2304, 26, 8, 4, 9216, 256000, 8192, head_dim=256, tied=True, model_type="gemma2"),
    "google/gemma-2-9b": _llama(3584, 42, 16, 8, 14336, 256000, 8192, head_dim=256, tied=True, model_type="gemma2"),
    "google/gemma-2-27b": _llama(4608, 46, 32, 16, 36864, 256000, 8192, head_dim=128, tied=True, model_type="gemma2"),
    # GLM
    "thudm/chatglm3-6b": _llama(4096, 28, 32, 2, 13696, 65024, 8192, model_type="chatglm"),
    "thudm/glm-4-9b": _llama(4096, 40, 32, 2, 13696, 151552, 8192, model_type="chatglm"),
    "thudm/glm-4-9b-chat": _llama(4096, 40, 32, 2, 13696, 151552, 131072, model_type="chatglm"),
    # DeepSeek
    "deepseek-ai/deepseek-llm-7b-base": _llama(4096, 30, 32, 32, 11008, 102400, 4096, model_type="llama"),
    "deepseek-ai/deepseek-r1-distill-qwen-7b": _llama(3584, 28, 28, 4, 18944, 152064, 131072, model_type="qwen2"),
    "deepseek-ai/deepseek-r1-distill-llama-8b": _LLAMA3_8B,
    "deepseek-ai/deepseek-v2-lite": _llama(
        2048,
        27,
        16,
        16,
        10944,
        102400,
        163840,
        head_dim=128,
        experts=64,
        experts_per_token=6,
        moe_intermediate=1408,
        shared_intermediate=2816,
        dense_layers=1,
        total_params=15_706_484_224,
        model_type="deepseek_v2",
    ),
    "deepseek-ai/deepseek-v3": _llama(
        7168,
        61,
        128,
        128,
        18432,
        129280,
        163840,
        head_dim=128,
        experts=256,
        experts_per_token=8,
        moe_intermediate=2048,
        shared_intermediate=2048,
        dense_layers=3,
        total_params=671_026_419_200,
        model_type="deepseek_v3",
    ),
    # Phi
    "microsoft/phi-2": _llama(2560, 32, 32, 32, 10240, 51200, 2048, mlp_matrices=2, model_type="phi"),
    "microsoft/phi-3-mini-4k-instruct": _llama(3072, 32, 32, 32, 8192, 32064, 4096, model_type="phi3"),
    "microsoft/phi-3-mini-128k-instruct": _llama(3072, 32, 32, 32, 8192, 32064, 131072, model_type="phi3"),
    "microsoft/phi-4": _llama(5120, 40, 40, 10, 17920, 100352, 16384, model_type="phi3"),
}

# Qwen2 / Qwen2.5 have biases on q, k and v.
LLM_CATALOGUE.update(
    {key: replace(arch, qkv_bias=True) for key, arch in LLM_CATALOGUE.items() if arch.model_type == "qwen2"}
)


def clip_lora_per_rank(layers: int, width: int) -> int:
    """LoRA parameters per rank on a CLIP text encoder: q, k, v, out (width to width) and the
    MLP's fc1 / fc2 (width to 4 x width and back) in every layer."""
    return layers * (4 * (width + width) + 2 * (width + 4 * width))


_CLIP_L = clip_lora_per_rank(12, 768)  # SD 1.x, SDXL's first encoder, FLUX
_OPENCLIP_H = clip_lora_per_rank(23, 1024)  # SD 2.x: sd-scripts builds 23 of its 24 layers
_OPENCLIP_BIGG = clip_lora_per_rank(32, 1280)  # SDXL's second encoder
# Diffusion families. Parameter counts are those of the released checkpoints; the LoRA
# sizes per rank are those of kohya's default `networks.lora` targets (U-Nets: transformer
# blocks; with conv_dim the ResNet blocks' Linear + 1x1 and their 3x3 convolutions, counted
# exactly; SD3/FLUX approximate); the activation constants are calibrated (docs/estimate.md
# says how and what the error is).
_SD1_CONV = {"conv_block_params_per_rank": 82_880, "conv_params_per_rank": 544_000}
DIFFUSION_FAMILIES: dict[str, DiffusionArch] = {
    "sd1": DiffusionArch("sd1", 860 * _M, (123 * _M,), 84 * _M, 512, 423_936, _CLIP_L, int(2.0e9), 0.3, **_SD1_CONV),
    "sd2": DiffusionArch(
        "sd2", 866 * _M, (340 * _M,), 84 * _M, 768, 432_128, _OPENCLIP_H, int(4.5e9), 0.3, **_SD1_CONV
    ),
    "sdxl": DiffusionArch(
        "sdxl",
        2567 * _M,
        (123 * _M, 695 * _M),
        84 * _M,
        1024,
        2_659_840,
        _CLIP_L + _OPENCLIP_BIGG,
        int(6e9),
        0.2,
        conv_block_params_per_rank=58_560,
        conv_params_per_rank=355_840,
    ),
    "sd3": DiffusionArch(
        "sd3", 2028 * _M, (123 * _M, 695 * _M, 4762 * _M), 84 * _M, 1024, 2_400_000, 0, int(10e9), 0.2
    ),
    "flux": DiffusionArch(
        "flux",
        11_901 * _M,
        (123 * _M, 4762 * _M),
        84 * _M,
        1024,
        3_500_000,
        _CLIP_L,
        int(50e9),
        0.08,
        blocks=57,
        latent_channels=16,
    ),
}

DIFFUSION_CATALOGUE: dict[str, str] = {
    "runwayml/stable-diffusion-v1-5": "sd1",
    "stable-diffusion-v1-5/stable-diffusion-v1-5": "sd1",
    "compvis/stable-diffusion-v1-4": "sd1",
    "stabilityai/stable-diffusion-2-1": "sd2",
    "stabilityai/stable-diffusion-2-1-base": "sd2",
    "stabilityai/stable-diffusion-xl-base-1.0": "sdxl",
    "stabilityai/stable-diffusion-3-medium-diffusers": "sd3",
    "black-forest-labs/flux.1-dev": "flux",
    "black-forest-labs/flux.1-schnell": "flux",
}

_SUFFIX = re.compile(r"-(instruct|chat|it|base|hf)(-\d+)?$")


def _candidates(hub_id: str) -> list[str]:
    key = hub_id.strip().lower().rstrip("/")
    out = [key]
    while True:
        stripped = _SUFFIX.sub("", key)
        if stripped == key:
            break
        key = stripped
        out += [key, key + "-hf"]
    return out


def lookup_llm(hub_id: str) -> tuple[str, LLMArch] | None:
    for key in _candidates(hub_id):
        if key in LLM_CATALOGUE:
            return key, LLM_CATALOGUE[key]
    return None


def diffusion_family_of(name: str) -> str | None:
    """Family from a hub id, or from words in a checkpoint file name (sdxl, flux, v1-5 ...)."""
    key = name.strip().lower()
    if key in DIFFUSION_CATALOGUE:
        return DIFFUSION_CATALOGUE[key]
    base = key.replace("\\", "/").rsplit("/", 1)[-1]
    for pattern, family in (
        (r"flux", "flux"),
        (r"sd3|stable-diffusion-3", "sd3"),
        (r"sdxl|xl[-_]base|pony|illustrious|noobai", "sdxl"),
        (r"v2[-_.]?1|sd2|768-v", "sd2"),
        (r"v1[-_.]?5|sd15|sd1\.5|v1[-_.]?4|animefull|anything", "sd1"),
    ):
        if re.search(pattern, base):
            return family
    return None

"""Model dimensions for the memory estimate, and where they came from.

Sources, in the order they are tried: a local ``config.json`` (the transformers config of a
model folder), the header of a ``.safetensors`` file (exact tensor shapes and dtypes), then
the built-in catalogue keyed by hub id (:mod:`lorachecks.estimate.catalogue`). The caller
always learns which one was used; an unknown model is reported as unknown, never guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lorachecks.core.records import record, replace


@record(frozen=True, slots=True)
class LLMArch:
    """A decoder-only transformer, enough to count parameters and activations."""

    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    vocab: int
    head_dim: int = 0  # 0: hidden // heads
    tied: bool = False
    max_position: int | None = None
    mlp_matrices: int = 3  # 3 for gated (SwiGLU/GeGLU) MLPs, 2 for plain GELU MLPs
    experts: int = 0  # MoE: routed experts per layer (0: dense)
    experts_per_token: int = 0
    moe_intermediate: int = 0
    shared_intermediate: int = 0  # MoE: always-on shared expert width
    dense_layers: int = 0  # MoE: leading layers with a dense MLP
    total_params: int | None = None  # exact count where the dimensions do not give it
    model_type: str = ""
    qkv_bias: bool = False  # Qwen2-style biases on the q/k/v projections

    @property
    def dim_head(self) -> int:
        return self.head_dim or self.hidden // self.heads

    @property
    def q_dim(self) -> int:
        return self.heads * self.dim_head

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.dim_head

    def attention_linears(self) -> list[tuple[int, int]]:
        """(in, out) of each attention projection of one layer."""
        h = self.hidden
        return [(h, self.q_dim), (h, self.kv_dim), (h, self.kv_dim), (self.q_dim, h)]

    def mlp_linears(self, moe: bool) -> list[tuple[int, int]]:
        """(in, out) of each MLP projection of one layer (every expert for an MoE layer)."""
        h = self.hidden
        if not moe:
            width = self.intermediate
            return [(h, width)] * (self.mlp_matrices - 1) + [(width, h)]
        out: list[tuple[int, int]] = []
        for _ in range(self.experts):
            out += [(h, self.moe_intermediate)] * 2 + [(self.moe_intermediate, h)]
        if self.shared_intermediate:
            out += [(h, self.shared_intermediate)] * 2 + [(self.shared_intermediate, h)]
        return out

    def shared_expert_linears(self) -> list[tuple[int, int]]:
        """(in, out) of the Linear layers of one MoE layer in transformers >= 5.

        There the routed experts are fused 3-D parameters and the router a plain weight, none
        of them a Linear layer; the shared expert is an ordinary MLP, and Qwen2-MoE gates it
        with a Linear of one output.
        """
        h, width = self.hidden, self.shared_intermediate
        if not width:
            return []
        gate = [(h, 1)] if self.model_type == "qwen2_moe" else []
        return [(h, width)] * 2 + [(width, h)] + gate

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.experts else 0

    @property
    def linear_params(self) -> int:
        """Parameters of the decoder's linear layers (what quantization converts)."""
        attention = sum(i * o for i, o in self.attention_linears()) * self.layers
        dense = sum(i * o for i, o in self.mlp_linears(False)) * (self.layers - self.moe_layers)
        moe = sum(i * o for i, o in self.mlp_linears(True)) * self.moe_layers if self.experts else 0
        computed = attention + dense + moe
        if self.total_params is not None:  # exotic attention (MLA): keep the stated total
            return max(self.total_params - self.embedding_params - self.norm_params, 0)
        return computed

    @property
    def embedding_params(self) -> int:
        """Input embedding plus output head (once when they are tied)."""
        return self.vocab * self.hidden * (1 if self.tied else 2)

    @property
    def norm_params(self) -> int:
        """Norm weights, plus q/k/v biases where the architecture has them."""
        bias = self.layers * (self.q_dim + 2 * self.kv_dim) if self.qkv_bias else 0
        return self.hidden * (2 * self.layers + 1) + bias

    @property
    def params(self) -> int:
        if self.total_params is not None:
            return self.total_params
        return self.linear_params + self.embedding_params + self.norm_params

    @property
    def layer_params(self) -> int:
        """One decoder layer's parameters (the final norm, outside the layers, left out)."""
        return (self.linear_params + self.norm_params - self.hidden) // max(self.layers, 1)

    @property
    def active_intermediate(self) -> int:
        """MLP width one token passes through (top-k experts plus the shared one for MoE)."""
        if not self.experts:
            return self.intermediate
        return self.experts_per_token * self.moe_intermediate + self.shared_intermediate


@record(frozen=True, slots=True)
class DiffusionArch:
    """A Stable Diffusion family: component sizes and the LoRA size per rank."""

    family: str  # "sd1", "sd2", "sdxl", "sd3", "flux"
    denoiser_params: int  # U-Net or diffusion transformer
    text_encoder_params: tuple[int, ...]  # CLIP / T5 encoders, in pipeline order
    vae_params: int
    native_resolution: int
    # LoRA parameters per rank of sd-scripts' `networks.lora` (checked against its own module
    # selection, tests/test_estimate_agreement.py): every Linear and 1x1 Conv2d inside the
    # denoiser's transformer blocks, and the text encoders' attention and MLP Linear layers.
    lora_params_per_rank: int
    te_lora_params_per_rank: int
    # Activation bytes per sample at the native resolution, bf16, memory-efficient
    # attention, no gradient checkpointing; and the fraction kept with checkpointing.
    activation_bytes: int
    checkpointed_fraction: float
    blocks: int = 0  # swappable blocks (FLUX: 19 double + 38 single)
    latent_channels: int = 4
    # With a `conv_dim` (U-Nets): the ResNet / up- and down-sampling blocks join the targets,
    # their Linear (time embedding) and 1x1 shortcuts at the network rank, the 3x3
    # convolutions at the conv rank.
    conv_block_params_per_rank: int = 0
    conv_params_per_rank: int = 0


Arch = LLMArch | DiffusionArch


def _int(data: dict[str, Any], *keys: str, default: int = 0) -> int:
    for key in keys:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return default


# Model types whose q/k/v projections carry biases without saying so in config.json (Qwen2's
# language model, also inside Qwen2-VL and Qwen2.5-VL).
_QKV_BIAS = frozenset({"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_vl_text", "qwen2_5_vl", "qwen2_5_vl_text"})


def llm_from_config_json(data: dict[str, Any]) -> LLMArch | None:
    """Dimensions from a transformers ``config.json`` (text sub-config for multimodal models)."""
    if isinstance(data.get("text_config"), dict):
        data = {**data, **data["text_config"]}
    hidden = _int(data, "hidden_size", "n_embd", "d_model")
    layers = _int(data, "num_hidden_layers", "n_layer", "num_layers")
    heads = _int(data, "num_attention_heads", "n_head")
    vocab = _int(data, "vocab_size", "padded_vocab_size")
    if not (hidden and layers and heads and vocab):
        return None
    model_type = str(data.get("model_type", ""))
    kv_heads = _int(data, "num_key_value_heads", "multi_query_group_num", default=heads)
    if model_type == "chatglm" and not data.get("multi_query_attention", True):
        kv_heads = heads
    intermediate = _int(data, "intermediate_size", "ffn_hidden_size", "n_inner", default=4 * hidden)
    if model_type == "qwen":  # Qwen (1.0) states the width of w1 and w2 together: each is half of it
        intermediate //= 2
    experts = _int(data, "num_experts", "n_routed_experts", "num_local_experts")
    gated = model_type not in {"phi", "gpt2", "gpt_neox", "falcon", "bloom", "starcoder2", "gpt_bigcode"}
    return LLMArch(
        hidden=hidden,
        layers=layers,
        heads=heads,
        kv_heads=kv_heads,
        intermediate=intermediate,
        vocab=vocab,
        head_dim=_int(data, "head_dim"),
        tied=bool(data.get("tie_word_embeddings", model_type in {"gemma", "gemma2", "gemma3_text"})),
        max_position=_int(data, "max_position_embeddings", "seq_length", "n_positions") or None,
        mlp_matrices=3 if gated else 2,
        experts=experts,
        experts_per_token=_int(data, "num_experts_per_tok", "num_experts_per_token", "moe_top_k") if experts else 0,
        moe_intermediate=_int(data, "moe_intermediate_size", default=intermediate) if experts else 0,
        shared_intermediate=(
            _int(data, "shared_expert_intermediate_size")
            or _int(data, "n_shared_experts") * _int(data, "moe_intermediate_size")
        )
        if experts
        else 0,
        dense_layers=_int(data, "first_k_dense_replace") if experts else 0,
        model_type=model_type,
        qkv_bias=bool(data.get("attention_bias", model_type in _QKV_BIAS)),
    )


def llm_from_safetensors(path: Path) -> LLMArch | None:
    """Dimensions read off tensor shapes: embedding, layer count, q/k/v and MLP widths."""
    from lorachecks.files.safetensors_header import read_header

    files = sorted(path.glob("*.safetensors")) if path.is_dir() else [path]
    shapes: dict[str, tuple[int, ...]] = {}
    total = 0
    for file in files:
        header = read_header(file)  # NotSafetensors / OSError: caller reports
        total += header.parameter_count
        shapes.update({name: info.shape for name, info in header.tensors.items()})

    def find(suffix: str) -> tuple[int, ...] | None:
        return next((s for n, s in shapes.items() if n.endswith(suffix)), None)

    embed = find("embed_tokens.weight")
    q, k = find("layers.0.self_attn.q_proj.weight"), find("layers.0.self_attn.k_proj.weight")
    up = find("layers.0.mlp.up_proj.weight")
    if embed is None or q is None or k is None or up is None:
        return None
    layer_ids = {int(n.split("layers.")[1].split(".")[0]) for n in shapes if "layers." in n}
    vocab, hidden = embed
    head_dim = 128 if q[0] % 128 == 0 else 64
    return LLMArch(
        hidden=hidden,
        layers=max(layer_ids) + 1,
        heads=q[0] // head_dim,
        kv_heads=k[0] // head_dim,
        intermediate=up[0],
        vocab=vocab,
        head_dim=head_dim,
        tied=find("lm_head.weight") is None,
        total_params=total,
    )


def with_total(arch: LLMArch, total: int | None) -> LLMArch:
    return replace(arch, total_params=total)

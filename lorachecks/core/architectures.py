"""Linear layer names per transformers `model_type`, for checking LoRA targets statically.

PEFT matches a target against the end of each module's dotted name, so `q_proj` matches
`model.layers.0.self_attn.q_proj`. These are the linear (LoRA-able) leaf names of each
architecture's decoder, read from the transformers modeling code of each family.
"""

from __future__ import annotations

_LLAMA = frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"})
_MOE_ROUTER = frozenset({"gate"})
_GLM = frozenset({"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"})
# DeepSeek V2/V3: multi-head latent attention projections, gated MLP, MoE router.
_DEEPSEEK = (
    frozenset(
        {
            "q_proj",
            "q_a_proj",
            "q_b_proj",
            "kv_a_proj_with_mqa",
            "kv_b_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        }
    )
    | _MOE_ROUTER
)

LINEAR_MODULES: dict[str, frozenset[str]] = {
    "llama": _LLAMA,
    "mistral": _LLAMA,
    "qwen2": _LLAMA,
    "qwen3": _LLAMA,
    "gemma": _LLAMA,
    "gemma2": _LLAMA,
    "gemma3_text": _LLAMA,
    "granite": _LLAMA,
    "olmo": _LLAMA,
    "olmo2": _LLAMA,
    "cohere": _LLAMA,
    "starcoder2": frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj"}),
    "mixtral": frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3"}) | _MOE_ROUTER,
    "qwen2_moe": _LLAMA | _MOE_ROUTER | frozenset({"shared_expert_gate"}),
    "qwen3_moe": _LLAMA | _MOE_ROUTER,
    "deepseek_v2": _DEEPSEEK,
    "deepseek_v3": _DEEPSEEK,
    "phi": frozenset({"q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2"}),
    "phi3": frozenset({"qkv_proj", "o_proj", "gate_up_proj", "down_proj"}),
    "gpt2": frozenset({"c_attn", "c_proj", "c_fc"}),
    "qwen": frozenset({"c_attn", "c_proj", "w1", "w2"}),
    "chatglm": _GLM,
    "glm": frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "gate_up_proj", "down_proj"}),
    "glm4": frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "gate_up_proj", "down_proj"}),
    "falcon": _GLM,
    "bloom": _GLM,
    "baichuan": frozenset({"W_pack", "o_proj", "gate_proj", "up_proj", "down_proj"}),
    "internlm2": frozenset({"wqkv", "wo", "w1", "w2", "w3"}),
}
# Output heads: `lora_target: all` leaves them out, naming them is allowed.
HEADS = frozenset({"lm_head", "embed_out", "output"})

"""Tiny local models of the families users' configs name (Llama, Qwen2, Qwen3, Mistral).

Run with the LLaMA-Factory venv's Python:

    python make_tiny_families.py OUT_DIR

writes OUT_DIR/<family> (2 layers, random weights) for each family and OUT_DIR/data
(tiny_sft and tiny_kto with their dataset_info.json). The shared tokenizer knows the special
tokens the chat templates of these families add (`<|im_end|>`, `<|eot_id|>`, ...), so a
config's own `template` runs on it. Nothing is downloaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_tiny import SAMPLES, TINY_DIMS, build_tokenizer, write_sft

TEMPLATE_TOKENS = [
    "<|im_start|>",
    "<|im_end|>",
    "<|endoftext|>",
    "<|begin_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|end_of_text|>",
    "<think>",
    "</think>",
]


def build(root: Path) -> None:
    import torch
    from transformers import (
        AutoTokenizer,
        LlamaConfig,
        LlamaForCausalLM,
        MistralConfig,
        MistralForCausalLM,
        Qwen2Config,
        Qwen2ForCausalLM,
        Qwen3Config,
        Qwen3ForCausalLM,
    )

    tok_dir = root / "_tokenizer"
    build_tokenizer(tok_dir)
    tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    tokenizer.add_special_tokens({"additional_special_tokens": TEMPLATE_TOKENS})
    common = {**TINY_DIMS, "vocab_size": len(tokenizer), "intermediate_size": 128}
    families = {
        "llama": (LlamaConfig, LlamaForCausalLM),
        "qwen2": (Qwen2Config, Qwen2ForCausalLM),
        "qwen3": (Qwen3Config, Qwen3ForCausalLM),
        "mistral": (MistralConfig, MistralForCausalLM),
    }
    for name, (config_class, model_class) in families.items():
        torch.manual_seed(0)
        out = root / name
        model_class(config_class(**common)).save_pretrained(out)
        tokenizer.save_pretrained(out)

    data = root / "data"
    sft = write_sft(data)
    kto = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}], "label": i % 2 == 0}
        for i, (q, a) in enumerate(SAMPLES)
    ]
    (data / "tiny_kto.json").write_text(json.dumps(kto, indent=1), encoding="utf-8")
    info = {
        "tiny_sft": sft,
        "tiny_kto": {
            "file_name": "tiny_kto.json",
            "formatting": "sharegpt",
            "columns": {"messages": "messages", "kto_tag": "label"},
            "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"},
        },
    }
    (data / "dataset_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]))

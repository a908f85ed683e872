"""Build a tiny local Llama, its tokenizer and an SFT dataset for the differential tests.

Run with the LLaMA-Factory venv's Python (it needs transformers and tokenizers):

    python make_tiny.py OUT_DIR

writes OUT_DIR/model (2-layer LlamaConfig, random weights, a BPE tokenizer trained here,
a chat template), OUT_DIR/spare1 (the same with one spare embedding row), OUT_DIR/gpt2, OUT_DIR/qwen3moe, OUT_DIR/mixtral (mixtures of experts) and
OUT_DIR/qwen2vl (a vision-language model, no image processor) sharing that tokenizer, and
OUT_DIR/data (dataset_info.json + tiny_sft.json + tiny_pairs.json). Nothing is downloaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SAMPLES = [
    ("Say hello.", "Hello there."),
    ("Name a colour.", "Blue is a colour."),
    ("Count to three.", "One, two, three."),
    ("What is two plus two?", "Two plus two is four."),
    ("Name a fruit.", "An apple is a fruit."),
    ("Say goodbye.", "Goodbye, see you soon."),
    ("Name an animal.", "A cat is an animal."),
    ("What day follows Monday?", "Tuesday follows Monday."),
]

# The shape every tiny text model here shares (vocab and MLP width are set per model).
TINY_DIMS = {
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 256,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 3,
    "tie_word_embeddings": False,
}

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ message['role'] }}: {{ message['content'] }}\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)


def build_tokenizer(out: Path) -> int:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<unk>", "<s>", "</s>", "<pad>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    text = [f"Human: {q}\nAssistant: {a}" for q, a in SAMPLES] * 4
    tok.train_from_iterator(text, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(out)
    return len(fast)


def build_model(out: Path, vocab_size: int) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(**TINY_DIMS, vocab_size=vocab_size, intermediate_size=128)).save_pretrained(out)


def build_spare_row(out: Path, tokenizer: Path, vocab_size: int) -> None:
    """The tiny Llama with one embedding row more than its tokenizer has tokens: room for a
    template's end-of-turn token, but not for a second token the template adds."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    for item in tokenizer.iterdir():
        if "token" in item.name or item.name == "chat_template.jinja":
            shutil.copy(item, out / item.name)
    build_model(out, vocab_size + 1)


def build_gpt2(out: Path, tokenizer: Path) -> None:
    """A 2-layer GPT-2 (Conv1D layers, not nn.Linear) sharing the Llama's tokenizer."""
    import shutil

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    for item in tokenizer.iterdir():
        if "token" in item.name or item.name == "chat_template.jinja":
            shutil.copy(item, out / item.name)
    size = len(json.loads((tokenizer / "tokenizer.json").read_text())["model"]["vocab"]) + 4
    config = GPT2Config(
        vocab_size=size, n_positions=256, n_embd=64, n_layer=2, n_head=4, bos_token_id=1, eos_token_id=2
    )
    GPT2LMHeadModel(config).save_pretrained(out)


def build_families(root: Path, tokenizer: Path) -> None:
    """Mixtures of experts (Qwen3-MoE, Mixtral) and a vision-language model (Qwen2-VL), 2 layers each."""
    import torch
    from transformers import (
        AutoTokenizer,
        MixtralConfig,
        MixtralForCausalLM,
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen3MoeConfig,
        Qwen3MoeForCausalLM,
    )

    tok = AutoTokenizer.from_pretrained(tokenizer)
    text = {**TINY_DIMS, "vocab_size": len(tok)}
    moe = {"num_experts_per_tok": 2}
    vision = {"depth": 1, "embed_dim": 32, "hidden_size": 64, "num_heads": 2, "mlp_ratio": 2}
    mrope = {"rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]}, "intermediate_size": 128}
    models = {
        "qwen3moe": lambda: Qwen3MoeForCausalLM(
            Qwen3MoeConfig(**text, **moe, intermediate_size=128, moe_intermediate_size=32, num_experts=4, head_dim=16)
        ),
        "mixtral": lambda: MixtralForCausalLM(MixtralConfig(**text, **moe, intermediate_size=64, num_local_experts=4)),
        "qwen2vl": lambda: Qwen2VLForConditionalGeneration(
            Qwen2VLConfig(text_config={**text, **mrope}, vision_config=vision, tie_word_embeddings=False)
        ),
    }
    for name, make in models.items():
        torch.manual_seed(0)
        make().save_pretrained(root / name)
        tok.save_pretrained(root / name)


def write_sft(out: Path) -> dict[str, str]:
    """tiny_sft.json (alpaca format) in ``out``; returns its dataset_info.json entry."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"instruction": q, "input": "", "output": a} for q, a in SAMPLES]
    (out / "tiny_sft.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return {"file_name": "tiny_sft.json"}


def build_data(out: Path) -> None:
    sft = write_sft(out)
    pairs = [{"instruction": q, "input": "", "chosen": a, "rejected": "I do not know."} for q, a in SAMPLES]
    (out / "tiny_pairs.json").write_text(json.dumps(pairs, indent=1), encoding="utf-8")
    info = {
        "tiny_sft": sft,
        "tiny_pairs": {
            "file_name": "tiny_pairs.json",
            "ranking": True,
            "columns": {"prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected"},
        },
    }
    (out / "dataset_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")


def main(argv: list[str]) -> int:
    root = Path(argv[1])
    model = root / "model"
    model.mkdir(parents=True, exist_ok=True)
    vocab_size = build_tokenizer(model)
    build_model(model, vocab_size)
    build_spare_row(root / "spare1", model, vocab_size)
    build_gpt2(root / "gpt2", model)
    build_families(root, model)
    build_data(root / "data")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""Write the tiny model folder of examples/dryrun: config.json and tokenizer files, no weights.

`lorachecks dry-run examples/dryrun/llamafactory_lora_sft.yaml --init random` builds this
model with random weights, so the example runs on a fresh clone with nothing downloaded.
The tokenizer is a byte-level BPE trained here (with `tokenizers`) on the example's own
dataset, with the special tokens LLaMA-Factory's `llama3` template writes, so every text
encodes and every id fits the model's vocabulary. Usage: python tools/make_dryrun_example.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dryrun"
MODEL = EXAMPLE / "tiny-llama3"
# The tokens the llama3 template writes (bos, role headers, end of turn) and the base eos.
SPECIAL_TOKENS = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|eom_id|>",
]
VOCAB_SIZE = 384  # 256 byte symbols, the special tokens, and merges learnt from the dataset


def _corpus() -> list[str]:
    records = json.loads((EXAMPLE / "data" / "tiny_sft.json").read_text(encoding="utf-8"))
    return [" ".join(str(v) for v in record.values() if v) for record in records] + ["user assistant system"]


def write_tokenizer(folder: Path) -> int:
    """Train and save the tokenizer; returns its vocabulary size."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # type: ignore[assignment]
    tokenizer.decoder = decoders.ByteLevel()  # type: ignore[assignment]
    trainer = trainers.BpeTrainer(  # type: ignore[call-arg]
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus() * 4, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|begin_of_text|>",
        eos_token="<|end_of_text|>",
        model_max_length=512,
    )
    fast.save_pretrained(folder)
    # transformers 5 writes its own backend's class name; the generic one loads in every release.
    settings_file = folder / "tokenizer_config.json"
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    settings.pop("backend", None)
    settings["tokenizer_class"] = "PreTrainedTokenizerFast"
    settings_file.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return int(tokenizer.get_vocab_size())


def write_config(folder: Path, vocab: int) -> None:
    """A 2-layer Llama with grouped-query attention: about 0.1 M parameters."""
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": vocab,
        "max_position_embeddings": 512,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "bos_token_id": SPECIAL_TOKENS.index("<|begin_of_text|>"),
        "eos_token_id": SPECIAL_TOKENS.index("<|end_of_text|>"),
        "torch_dtype": "float32",
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    MODEL.mkdir(parents=True, exist_ok=True)
    write_config(MODEL, write_tokenizer(MODEL))


if __name__ == "__main__":
    main()

"""Peak GPU memory of real training steps against `lorachecks estimate`, on the same configs.

For each case below this writes a model folder (config.json with the published dimensions of
the estimate's built-in catalogue, and the tokenizer of examples/dryrun, so nothing is
downloaded), a dataset whose answers are longer than ``cutoff_len`` (every sequence fills
it, as the estimate assumes), and a LLaMA-Factory config; then runs
``lorachecks dry-run --init random --device cuda -f json`` in its own process (random
weights: memory does not depend on their values) and prints the peak the CUDA allocator
saw during the steps beside the estimate the same report carries, and their ratio::

    python benchmarks/gpu_peak_vs_estimate.py --out /tmp/peak        # on a CUDA machine
    python benchmarks/gpu_peak_vs_estimate.py --device cpu --quick   # smoke run of the script

No timing or memory here is asserted by a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lorachecks.estimate.architecture import LLMArch  # noqa: E402
from lorachecks.estimate.catalogue import lookup_llm  # noqa: E402

TOKENIZER = ROOT / "examples" / "dryrun" / "tiny-llama3"
HF_CLASSES = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM"}

# (hub id of the dimensions, finetuning_type, batch, cutoff_len, extra config keys)
CASES: list[tuple[str, str, int, int, dict[str, Any]]] = [
    ("Qwen/Qwen2.5-0.5B", "lora", 4, 1024, {}),
    ("Qwen/Qwen2.5-0.5B", "full", 2, 512, {}),
    ("Qwen/Qwen2.5-0.5B", "lora", 4, 1024, {"disable_gradient_checkpointing": True}),
    ("meta-llama/Llama-3.2-1B", "lora", 8, 2048, {}),
    ("meta-llama/Llama-3.2-1B", "lora", 2, 2048, {"disable_gradient_checkpointing": True}),
    ("meta-llama/Llama-3.2-1B", "full", 1, 1024, {}),
    ("Qwen/Qwen2.5-1.5B", "lora", 4, 2048, {}),
    ("Qwen/Qwen2.5-3B", "lora", 4, 2048, {}),
    ("meta-llama/Meta-Llama-3-8B", "lora", 2, 2048, {}),
    ("meta-llama/Meta-Llama-3-8B", "lora", 1, 4096, {"lora_rank": 64}),
]
QUICK_CASES: list[tuple[str, str, int, int, dict[str, Any]]] = [
    ("Qwen/Qwen2.5-0.5B", "lora", 1, 64, {"num_layers_override": 2}),
]


def model_folder(out: Path, hub_id: str, layers: int | None) -> Path:
    """config.json with the catalogue's dimensions (``layers`` overrides the depth) + tokenizer."""
    found = lookup_llm(hub_id)
    if found is None:
        raise SystemExit(f"{hub_id} is not in the estimate's catalogue")
    arch: LLMArch = found[1]
    model_type = arch.model_type or "llama"
    folder = out / "models" / f"{hub_id.split('/')[-1]}-{layers or arch.layers}L"
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = json.loads((TOKENIZER / "config.json").read_text(encoding="utf-8"))
    config = {
        "architectures": [HF_CLASSES[model_type]],
        "model_type": model_type,
        "hidden_size": arch.hidden,
        "intermediate_size": arch.intermediate,
        "num_hidden_layers": layers or arch.layers,
        "num_attention_heads": arch.heads,
        "num_key_value_heads": arch.kv_heads,
        "head_dim": arch.dim_head,
        "vocab_size": arch.vocab,
        "max_position_embeddings": arch.max_position or 4096,
        "tie_word_embeddings": arch.tied,
        "rms_norm_eps": 1e-6,
        "bos_token_id": tokenizer["bos_token_id"],
        "eos_token_id": tokenizer["eos_token_id"],
        "torch_dtype": "bfloat16",
    }
    (folder / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(TOKENIZER / name, folder / name)
    return folder


def dataset(out: Path) -> Path:
    """Alpaca records whose answers run past any cutoff_len here (the tokenizer knows few merges)."""
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    words = "the model reads a long answer about colours numbers and animals".split()
    answer = " ".join(words[i % len(words)] for i in range(12_000))
    rows = [{"instruction": f"Write a long text number {i}.", "input": "", "output": answer} for i in range(16)]
    (data / "long.json").write_text(json.dumps(rows), encoding="utf-8")
    (data / "dataset_info.json").write_text(json.dumps({"long": {"file_name": "long.json"}}), encoding="utf-8")
    return data


def write_config(
    out: Path, index: int, model: Path, data: Path, case: tuple[str, str, int, int, dict[str, Any]]
) -> Path:
    _, method, batch, cutoff, extra = case
    lines = {
        "model_name_or_path": str(model),
        "stage": "sft",
        "do_train": True,
        "finetuning_type": method,
        "dataset": "long",
        "dataset_dir": str(data),
        "template": "llama3",
        "cutoff_len": cutoff,
        "output_dir": str(out / "saves" / str(index)),
        "per_device_train_batch_size": batch,
        "gradient_accumulation_steps": 1,
        "learning_rate": 1.0e-4,
        "bf16": True,
        "report_to": "none",
    }
    if method == "lora":
        lines.update({"lora_target": "all", "lora_rank": 8})
    lines.update({k: v for k, v in extra.items() if k != "num_layers_override"})
    path = out / f"case{index:02d}.yaml"
    path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in lines.items()), encoding="utf-8")
    return path


def run_case(config: Path, device: str, steps: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "lorachecks", "dry-run", "--init", "random", "--device", device]
    command += ["--steps", str(steps), "-f", "json", str(config)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"error": (done.stderr or done.stdout)[-600:], "wall_s": wall}
    report["wall_s"] = wall
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--out", type=Path, default=Path("/tmp/lorachecks-peak"))
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one tiny case (a smoke run of this script)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = dataset(args.out)
    results = []
    print(f"{'case':<44} {'trainable':>13} {'measured GiB':>13} {'estimate GiB':>13} {'ratio':>6} {'wall s':>7}")
    for index, case in enumerate(QUICK_CASES if args.quick else CASES):
        hub_id, method, batch, cutoff, extra = case
        model = model_folder(args.out, hub_id, extra.get("num_layers_override"))
        report = run_case(write_config(args.out, index, model, data, case), args.device, args.steps)
        label = (
            f"{hub_id.split('/')[-1]} {method} b{batch} L{cutoff}"
            + (" no-gc" if extra.get("disable_gradient_checkpointing") else "")
            + (f" r{extra['lora_rank']}" if "lora_rank" in extra else "")
        )
        peak, estimate = report.get("peak_memory_bytes"), report.get("lorachecks_estimate_bytes")
        row = {
            "case": label,
            "config": case,
            **{
                k: report.get(k)
                for k in (
                    "ok",
                    "device",
                    "trainable_params",
                    "peak_memory_bytes",
                    "peak_memory_source",
                    "lorachecks_estimate_bytes",
                    "lorachecks_estimate_trainable_params",
                    "batch",
                    "step_times_s",
                    "libraries",
                    "error",
                )
            },
            "wall_s": round(report["wall_s"], 1),
        }
        if not report.get("ok"):
            row["diagnostics"] = report.get("diagnostics")
        results.append(row)
        if peak and estimate:
            print(
                f"{label:<44} {report.get('trainable_params', 0):>13,} {peak / 2**30:>13.2f} {estimate / 2**30:>13.2f} {peak / estimate:>6.2f} {report['wall_s']:>7.1f}"
            )
        else:
            print(f"{label:<44} failed: {str(report.get('error') or report.get('diagnostics'))[:300]}")
        sys.stdout.flush()
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

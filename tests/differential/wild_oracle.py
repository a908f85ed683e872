"""Judge users' LLaMA-Factory configs (../shared/corpus/wild/llamafactory) with the real trainer.

Run with the LLaMA-Factory venv's Python (no lorachecks import):

    /work/lfvenv/bin/python tests/differential/wild_oracle.py WILD_DIR OUT_DIR [NAME ...]

Each config goes through two stages, each in a child forked from a process that imported
LLaMA-Factory once (as lf_server.py does):

1. ``parse``: ``llamafactory.hparams.get_train_args`` on the file as written, with only what
   points at the author's machine replaced (model -> a tiny local model of the same family,
   dataset names -> the tiny local data, output_dir and dataset_dir -> local folders) and
   ``use_cpu: true`` added, so the argument parsing and start-up checks run here.
2. ``train``: ``llamafactory-cli train`` for one step on CPU with, in addition, the keys that
   depend on the machine neutralised (precision, DeepSpeed, flash attention, quantisation,
   loggers, hub upload, worker counts): these are judged by reading the trainer's code.

Edits are made on the YAML lines, so every other value reaches the trainer exactly as
written. OUT_DIR/results.json holds each stage's exit code and last exception line.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import sys
import time
import traceback
from pathlib import Path

from lf_server import wait_child  # run as a script beside lf_server.py, in the trainer's venv

TIMEOUT = 240.0
_KEY = re.compile(r"^(\s*)([A-Za-z_][\w.]*)\s*:(.*)$")

# Keys whose value depends on the machine or on packages, dropped for the 1-step run.
MACHINE_KEYS = (
    "bf16",
    "fp16",
    "pure_bf16",
    "tf32",
    "fp8",
    "fp8_backend",
    "fp8_enable_fsdp_float8_all_gather",
    "deepspeed",
    "flash_attn",
    "quantization_bit",
    "quantization_type",
    "double_quantization",
    "use_unsloth_gc",
    "enable_liger_kernel",
    "use_swanlab",
    "swanlab_project",
    "swanlab_run_name",
    "swanlab_mode",
    "push_to_hub",
    "hub_strategy",
    "resume_from_checkpoint",
    "preprocessing_num_workers",
    "dataloader_num_workers",
    "ddp_timeout",
    "max_samples",
    "num_train_epochs",
    "save_steps",
    "eval_steps",
    "report_to",
)


# Refusals that depend on this machine (no GPU, packages absent), and the key causing each.
MACHINE_REFUSALS = {
    "'deepspeed": "deepspeed",
    "--tf32 requires": "tf32",
    "support `pure_bf16`": "pure_bf16",
    "swanlab": "use_swanlab",
    "liger": "enable_liger_kernel",
}


def machine_refusal(error: str) -> str | None:
    return next((key for marker, key in MACHINE_REFUSALS.items() if marker in error), None)


def family(model: str) -> str:
    name = model.lower()
    if "qwen3" in name:
        return "qwen3"
    if "qwen" in name or "qwq" in name:
        return "qwen2"
    if "mistral" in name:
        return "mistral"
    return "llama"


def top_level(text: str) -> list[tuple[int, int, str]]:
    """(first line, end line, key) of each top-level entry, nested lines included."""
    lines = text.splitlines()
    starts = []
    indent = min((len(m.group(1)) for line in lines if (m := _KEY.match(line))), default=0)
    for i, line in enumerate(lines):
        m = _KEY.match(line)
        if m and len(m.group(1)) == indent and not line.lstrip().startswith("#"):
            starts.append((i, m.group(2)))
    out = []
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        out.append((i, end, key))
    return out


def edit(text: str, set_values: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    """Replace the values of top-level keys (added when absent) and drop others."""
    lines = text.splitlines()
    indent = ""
    keep: list[str] = []
    entries = top_level(text)
    first = entries[0][0] if entries else 0
    keep.extend(lines[:first])
    seen = set()
    for start, end, key in entries:
        m = _KEY.match(lines[start])
        assert m is not None
        indent = m.group(1)
        if key in drop:
            continue
        if key in set_values:
            seen.add(key)
            keep.append(f"{indent}{key}: {set_values[key]}")
            continue
        keep.extend(lines[start:end])
    keep.extend(f"{indent}{k}: {v}" for k, v in set_values.items() if k not in seen)
    return "\n".join(keep) + "\n"


def value_of(text: str, key: str) -> str | None:
    for start, _end, name in top_level(text):
        if name == key:
            m = _KEY.match(text.splitlines()[start])
            assert m is not None
            return m.group(3).split(" #")[0].strip()
    return None


def localise(text: str, tiny: Path, out: Path) -> str:
    """Point the machine-bound values at local files; keep everything else as written."""
    model = value_of(text, "model_name_or_path") or ""
    stage = value_of(text, "stage") or "sft"
    data = "tiny_kto" if stage == "kto" else "tiny_sft"
    values = {"model_name_or_path": str(tiny / family(model)), "dataset_dir": str(tiny / "data")}
    for key in ("dataset", "eval_dataset"):
        written = value_of(text, key)
        if written:
            values[key] = ",".join(data for _ in written.split(","))
    if value_of(text, "output_dir") is not None:
        values["output_dir"] = str(out)
    return edit(text, values)


def _child(kind: str, config: Path, output: Path) -> None:
    fd = os.open(str(output), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 1
    try:
        os.chdir(config.parent)
        if kind == "parse":
            from llamafactory.hparams import get_train_args
            from omegaconf import OmegaConf

            args = OmegaConf.to_container(OmegaConf.load(config.name))
            model_args, data_args, training_args, _finetuning, _generating = get_train_args(args)
            print(
                "PARSED",
                json.dumps(
                    {
                        "quantization_bit": model_args.quantization_bit,
                        "quantization_method": repr(model_args.quantization_method),
                        "adapter_name_or_path": model_args.adapter_name_or_path,
                        "template": data_args.template,
                        "enable_thinking": repr(data_args.enable_thinking),
                        "save_only_model": repr(training_args.save_only_model),
                        "do_eval": training_args.do_eval,
                        "eval_strategy": str(training_args.eval_strategy),
                    }
                ),
            )
        else:
            sys.argv = ["llamafactory-cli", "train", config.name]
            from llamafactory.cli import main

            main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(kind: str, config: Path) -> dict[str, object]:
    output = config.with_suffix(f".{kind}.txt")
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(kind, config, output)
    code = wait_child(pid, TIMEOUT)
    text = output.read_text(encoding="utf-8", errors="replace")
    errors = re.findall(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Exit))(?::\s*(.*))?$", text, re.MULTILINE)
    parsed = re.findall(r"^PARSED (.*)$", text, re.MULTILINE)
    return {
        "returncode": code,
        "seconds": round(time.monotonic() - started, 1),
        "error": f"{errors[-1][0]}: {errors[-1][1]}"[:300] if errors and code != 0 else "",
        "trained": "train_loss" in text,
        "parsed": json.loads(parsed[-1]) if parsed else None,
    }


def main(argv: list[str]) -> int:
    wild, out = Path(argv[1]), Path(argv[2]).resolve()
    tiny = out / "tiny"
    if not (tiny / "data").is_dir():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from make_tiny_families import build

        build(tiny)
    names = argv[3:] or sorted(p.name for p in wild.glob("*.yaml"))
    os.environ.update(
        {
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "CUDA_VISIBLE_DEVICES": "",
            "DISABLE_VERSION_CHECK": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "WANDB_MODE": "disabled",
            "HF_HOME": str(out / "hf"),
        }
    )
    # Imported once here, shared by the forked children.
    importlib.import_module("llamafactory.cli")
    importlib.import_module("llamafactory.hparams")
    importlib.import_module("llamafactory.train.tuner")

    results: dict[str, object] = {}
    for name in names:
        folder = out / "runs" / name.removesuffix(".yaml")
        shutil.rmtree(folder, ignore_errors=True)  # a fresh output_dir: no earlier run's checkpoints
        folder.mkdir(parents=True)
        text = (wild / name).read_text(encoding="utf-8")
        local = localise(text, tiny, folder / "out")
        parse_cfg = folder / "parse.yaml"
        parse_cfg.write_text(edit(local, {"use_cpu": "true"}), encoding="utf-8")
        train_cfg = folder / "train.yaml"
        train_values = {"use_cpu": "true", "max_steps": "1", "save_strategy": "'no'", "report_to": "none"}
        if value_of(local, "load_best_model_at_end") is not None:
            train_values.update({"load_best_model_at_end": "false"})
        if value_of(local, "eval_strategy") not in (None, "'no'", "no"):
            train_values["eval_strategy"] = "steps"
            train_values["eval_steps"] = "1"
        drop = tuple(k for k in MACHINE_KEYS if k not in train_values)
        train_cfg.write_text(edit(local, train_values, drop), encoding="utf-8")
        parse = run("parse", parse_cfg)
        # A machine or package refusal hides the checks after it: drop that key, parse again.
        dropped: list[str] = []
        while parse["returncode"] != 0 and (key := machine_refusal(str(parse["error"]))) and key not in dropped:
            dropped.append(key)
            parse_cfg.write_text(edit(local, {"use_cpu": "true"}, tuple(dropped)), encoding="utf-8")
            parse = run("parse", parse_cfg)
        parse["machine_keys_dropped"] = dropped
        results[name] = {"parse": parse, "train": run("train", train_cfg)}
        print(name, json.dumps(results[name]), flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""The dry-run's encoding of a dataset against LLaMA-Factory's own, token by token.

For each case the trainer's data pipeline (tests/differential/encode_oracle.py, run in the
LLaMA-Factory venv) and lorachecks' encoder (lorachecks/dryrun/encode.py, run here) encode
the same config's dataset with the same tiny local tokenizer; input_ids and labels must be
equal for every example, or both must refuse. Every chat template the encoder models is
checked on an alpaca and a sharegpt dataset whose examples include a system message, earlier
turns, one longer than cutoff_len and ones the trainer drops; prompt masking options on a few.
Skipped (loudly, by conftest.py) without LORACHECKS_LF_VENV.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lorachecks.core.settings import Settings
from lorachecks.dryrun.config import DryRunError, read_config
from lorachecks.dryrun.encode import MODELLED_KINDS, NotEncoded, encode_dataset
from lorachecks.formats.llamafactory.template_formats import TEMPLATE_FORMATS
from tests.differential.harness import lf_environment

HERE = Path(__file__).resolve().parent
LONG_Q = "Count to three and then count back down again, slowly. " * 6
LONG_A = "One, two, three, three, two, one. " * 8
ALPACA = [
    {"instruction": "Say hello.", "input": "", "output": "Hello there."},
    {"instruction": "Name a colour.", "input": "Pick one.", "output": "Blue is a colour.", "system": "Be brief."},
    {"instruction": LONG_Q, "input": "", "output": LONG_A},
    {"instruction": "No answer here.", "input": ""},
    {
        "instruction": "And then?",
        "input": "",
        "output": "Then four.",
        "history": [["Count to three.", "One, two, three."]],
    },
]
SHAREGPT = [
    {
        "conversations": [
            {"from": "system", "value": "Be brief."},
            {"from": "human", "value": "Say hello."},
            {"from": "gpt", "value": "Hello there."},
            {"from": "human", "value": "Say goodbye."},
            {"from": "gpt", "value": "Goodbye, see you soon."},
        ]
    },
    {"conversations": [{"from": "human", "value": "Name a fruit."}, {"from": "gpt", "value": "An apple is a fruit."}]},
    {"conversations": [{"from": "gpt", "value": "Out of order."}, {"from": "human", "value": "Yes."}]},
    {
        "conversations": [
            {"from": "human", "value": LONG_Q},
            {"from": "gpt", "value": LONG_A},
            {"from": "human", "value": "Again?"},
            {"from": "gpt", "value": LONG_A},
        ]
    },
]
BROKEN = [{"conversations": [{"from": "gpt", "value": "Out of order."}, {"from": "human", "value": "Yes."}]}] * 3
DATASET_INFO = {
    "enc_broken": {"file_name": "enc_broken.json", "formatting": "sharegpt"},
    "enc_alpaca": {
        "file_name": "enc_alpaca.json",
        "columns": {
            "prompt": "instruction",
            "query": "input",
            "response": "output",
            "system": "system",
            "history": "history",
        },
    },
    "enc_sharegpt": {"file_name": "enc_sharegpt.jsonl", "formatting": "sharegpt"},
}
# Templates whose text the encoder models (multimodal plugins and other assembly rules are not).
MODELLED = sorted(name for name, t in TEMPLATE_FORMATS.items() if not t.multimodal and t.kind in MODELLED_KINDS)
FEATURES: dict[str, dict[str, Any]] = {
    "train_on_prompt": {"train_on_prompt": True},
    "mask_history": {"mask_history": True},
    "default_system": {"default_system": "You are a tiny model."},
    "short_cutoff": {"cutoff_len": 9},
    "no_thinking": {"enable_thinking": False},
    "no_template": {"template": None},  # the trainer reads a template off the tokenizer's chat template
}
# Tokenizer chat templates (Jinja) for configs without `template`, each in a copy of the tiny model.
CHAT_TEMPLATES = {
    "own_system": (
        "{% if messages[0]['role'] != 'system' %}system: You are tiny.\n{% endif %}"
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant: {% endif %}"
    ),
    "no_system_role": (
        "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
        "{% endif %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}"
    ),
}
FEATURE_TEMPLATES = ("default", "llama3", "qwen", "chatml", "alpaca", "empty", "llama2", "qwen3", "glm4_7")


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases = [
        (f"{template}-{dataset}", {"template": template, "dataset": dataset})
        for template in MODELLED
        for dataset in ("enc_alpaca", "enc_sharegpt")
    ]
    for feature, extra in FEATURES.items():
        for template in FEATURE_TEMPLATES:
            if feature == "no_thinking" and not TEMPLATE_FORMATS[template].kind.startswith("reasoning"):
                continue
            for dataset in ("enc_alpaca", "enc_sharegpt"):
                cases.append((f"{feature}-{template}-{dataset}", {"template": template, "dataset": dataset, **extra}))
    # Without `template`: a chat template that writes its own system message, one that refuses a system role.
    for variant in CHAT_TEMPLATES:
        for dataset in ("enc_alpaca", "enc_sharegpt"):
            cases.append((f"no_template_{variant}-{dataset}", {"template": None, "dataset": dataset, "model": variant}))
    # Pre-training: texts packed into cutoff_len blocks (its default) or cut one by one.
    for template in ("default", "llama3", "qwen", "empty"):
        for packing, cutoff in ((None, 16), (None, 48), (False, 16), (False, 48)):
            extra = {"stage": "pt", "template": template, "dataset": "enc_alpaca", "packing": packing}
            cases.append((f"pt-{template}-packing_{packing}-cutoff_{cutoff}", {**extra, "cutoff_len": cutoff}))
    # The trainer finds nothing to train on: all turns out of order; fewer tokens than one block.
    cases.append(("refused-no_valid_example", {"template": "default", "dataset": "enc_broken"}))
    cases.append(
        ("refused-pt_short", {"stage": "pt", "template": "default", "dataset": "enc_alpaca", "cutoff_len": 4096})
    )
    # An efficient-EOS template cannot train on prompts: the trainer refuses.
    efficient = next(n for n in MODELLED if TEMPLATE_FORMATS[n].efficient_eos)
    cases.append(("refused-train_on_prompt", {"template": efficient, "dataset": "enc_alpaca", "train_on_prompt": True}))
    return cases


CASES = _cases()


def _args(model: Path, data: Path, out: Path, extra: dict[str, Any]) -> dict[str, Any]:
    args = {
        "model_name_or_path": str(model),
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "lora",
        "dataset_dir": str(data),
        "cutoff_len": 48,
        "output_dir": str(out),
        "overwrite_cache": True,
        "report_to": "none",
        **extra,
    }
    return {k: v for k, v in args.items() if v is not None}


@pytest.fixture(scope="module")
def encodings(lf_venv: Path, tiny_fixture: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case through the trainer's pipeline (one process) and through lorachecks."""
    root = tmp_path_factory.mktemp("encoding")
    data = root / "data"
    data.mkdir()
    (data / "enc_alpaca.json").write_text(json.dumps(ALPACA), encoding="utf-8")
    (data / "enc_sharegpt.jsonl").write_text("".join(json.dumps(r) + "\n" for r in SHAREGPT), encoding="utf-8")
    (data / "enc_broken.json").write_text(json.dumps(BROKEN), encoding="utf-8")
    (data / "dataset_info.json").write_text(json.dumps(DATASET_INFO), encoding="utf-8")
    models = {"model": tiny_fixture / "model"}
    for variant, jinja in CHAT_TEMPLATES.items():
        models[variant] = root / variant
        shutil.copytree(tiny_fixture / "model", models[variant])
        (models[variant] / "chat_template.jinja").write_text(jinja, encoding="utf-8")
    cases = []
    for name, extra in CASES:
        model = models[extra.get("model", "model")]
        settings = {k: v for k, v in extra.items() if k != "model"}
        cases.append({"name": name, "args": _args(model, data, root / "out" / name, settings)})
    (root / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    env = lf_environment(lf_venv, root, {"HF_DATASETS_CACHE": str(root / "datasets_cache")})
    proc = subprocess.run(
        [
            str(lf_venv / "bin" / "python"),
            str(HERE / "encode_oracle.py"),
            str(root / "cases.json"),
            str(root / "lf.json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=float(os.environ.get("LORACHECKS_LF_TIMEOUT", "900")),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    trainer = json.loads((root / "lf.json").read_text(encoding="utf-8"))
    ours = {case["name"]: _ours(case["args"], root / "configs") for case in cases}
    equal = [n for n in ours if "samples" in ours[n] and _agree(ours[n], trainer[n])]
    refused = [n for n in ours if "error" in ours[n] and "error" in trainer[n]]
    unmodelled = [n for n in ours if "not_encoded" in ours[n]]
    whole = [t for t in MODELLED if f"{t}-enc_alpaca" in equal and f"{t}-enc_sharegpt" in equal]
    print(
        f"\nencoding: {len(cases)} cases: {len(equal)} equal token for token, {len(refused)} refused by both, "
        f"{len(unmodelled)} not encoded; templates equal on both formats: {len(whole)} of {len(MODELLED)} modelled "
        f"({len(TEMPLATE_FORMATS)} registered)"
    )
    return {"trainer": trainer, "ours": ours}


def _ours(args: dict[str, Any], folder: Path) -> dict[str, Any]:
    from transformers import AutoTokenizer

    folder.mkdir(exist_ok=True)
    config = folder / "train.yaml"
    lines = [f"{k}: {json.dumps(v)}" for k, v in args.items() if k not in ("overwrite_cache", "report_to")]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = read_config(config, Settings(launch_dir=folder))
    if loaded.plan is None:  # lint already finds what the trainer refuses
        return {"error": "; ".join(f"{d.code}: {d.message}" for d in loaded.diagnostics)}
    plan = loaded.plan
    tokenizer = AutoTokenizer.from_pretrained(args["model_name_or_path"], padding_side="right")
    try:
        encoded = encode_dataset(plan, tokenizer, folder)
    except NotEncoded as exc:
        return {"not_encoded": str(exc)}
    except DryRunError as exc:
        return {"error": f"{exc.code}: {exc.message}"}
    return {"samples": [[ids, labels] for ids, labels in encoded.samples]}


def _agree(ours: dict[str, Any], trainer: dict[str, Any]) -> bool:
    if "samples" in ours:
        if "samples" not in trainer or len(ours["samples"]) != len(trainer["samples"]):
            return False
        return all(
            ids == lf_ids and (lf_labels is None or labels == lf_labels)
            for (ids, labels), (lf_ids, lf_labels) in zip(ours["samples"], trainer["samples"], strict=True)
        )
    return "error" in ours and "error" in trainer


@pytest.mark.parametrize("name", [n for n, _ in CASES])
def test_encoding_equals_the_trainers(name: str, encodings: dict[str, Any]) -> None:
    ours, trainer = encodings["ours"][name], encodings["trainer"][name]
    assert "not_encoded" not in ours, ours  # every case here is one the encoder models
    if "error" in ours or "error" in trainer:
        assert "error" in ours and "error" in trainer, (ours, trainer)
        return
    theirs = trainer["samples"][: len(ours["samples"])]
    assert len(ours["samples"]) == len(trainer["samples"]), "the trainer keeps other examples"
    for index, ((ids, labels), (lf_ids, lf_labels)) in enumerate(zip(ours["samples"], theirs, strict=True)):
        assert ids == lf_ids, f"example {index}: input_ids differ\nours    {ids}\ntrainer {lf_ids}"
        if lf_labels is not None:  # pre-training rows carry none: its collator copies the ids
            assert labels == lf_labels, f"example {index}: labels differ\nours    {labels}\ntrainer {lf_labels}"

"""The trainer's own encoding of a dataset: run with the LLaMA-Factory venv's Python.

    python encode_oracle.py CASES.json OUT.json

CASES.json is a list of {"name", "args"} where args are LLaMA-Factory training arguments
(model, template, dataset, cutoff_len, ...). For each case this runs LLaMA-Factory's data
pipeline as `llamafactory-cli train` does before training (its argument parser, tokenizer
loader, get_template_and_fix_tokenizer and get_dataset) and writes the input_ids and labels
of the first rows, or the error the pipeline stops with. Nothing here reimplements it.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROWS = 64


def encode(args: dict[str, Any]) -> dict[str, Any]:
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.hparams import get_train_args
    from llamafactory.model import load_tokenizer

    model_args, data_args, training_args, _, _ = get_train_args(args)
    tokenizer_module = load_tokenizer(model_args)
    template = get_template_and_fix_tokenizer(tokenizer_module["tokenizer"], data_args)
    stage = args.get("stage", "sft")
    module = get_dataset(template, model_args, data_args, training_args, stage=stage, **tokenizer_module)
    rows = module["train_dataset"]
    rows = rows.select(range(min(ROWS, len(rows))))
    # Pre-training rows have no labels: its collator derives them from the ids.
    return {"samples": [[row["input_ids"], row.get("labels")] for row in rows]}


def main(argv: list[str]) -> int:
    import llamafactory.data.template as templates

    cases = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    # get_template_and_fix_tokenizer sets options on the registered template itself: each
    # case starts from the registry as it was imported.
    registry = copy.deepcopy(templates.TEMPLATES)
    results: dict[str, Any] = {}
    for case in cases:
        templates.TEMPLATES.clear()
        templates.TEMPLATES.update(copy.deepcopy(registry))
        try:
            results[case["name"]] = encode(case["args"])
        except Exception as exc:  # the pipeline's refusal is the answer for this case
            results[case["name"]] = {"error": f"{type(exc).__name__}: {str(exc).strip()[:300]}"}
    Path(argv[2]).write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

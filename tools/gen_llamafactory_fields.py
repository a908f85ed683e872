"""Generate the LLaMA-Factory field catalogue from the reference tables.

Reads ``llamafactory_fields_head.tsv`` (every argument of LLaMA-Factory at the tracked
commit, with the release that introduced it) and writes one Pydantic model per argument
dataclass under ``lorachecks/formats/llamafactory/fields/``. Ranges and the few
hand-checked facts that the table cannot express live in ``OVERRIDES`` below, so a re-run
reproduces the committed files exactly.

Usage: python tools/gen_llamafactory_fields.py ../shared/reference
"""

from __future__ import annotations

import ast
import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "lorachecks" / "formats" / "llamafactory" / "fields"

# Module per dataclass the train parser reads, in HfArgumentParser order (the
# `llamafactory-cli eval` arguments are not train keys and are left out).
MODULES = {
    "ModelArguments": ("model_args", "ModelArgs"),
    "DataArguments": ("data_args", "DataArgs"),
    "TrainingArguments": ("training_args", "TrainingArgs"),
    "FinetuningArguments": ("finetuning_args", "FinetuningArgs"),
    "GeneratingArguments": ("generating_args", "GeneratingArgs"),
    "MegatronBridgeArguments": ("megatron_bridge_args", "MegatronBridgeArgs"),
    "_KTransformersRuntimeArguments": ("ktransformers_args", "KTransformersRuntimeArgs"),
}

# transformers' get_available_reporting_integrations() plus the two keywords.
REPORT_TO = (
    "none all azure_ml clearml codecarbon comet_ml dagshub dvclive flyte mlflow neptune "
    "swanlab tensorboard trackio wandb"
).split()

# Value bounds the trainer (or the library under it) enforces, by field name.
# ge/gt are pydantic constraints; each was checked against the code that fails.
OVERRIDES: dict[str, dict[str, object]] = {
    "per_device_train_batch_size": {"ge": 1},
    "per_device_eval_batch_size": {"ge": 1},
    "gradient_accumulation_steps": {"ge": 1},
    "lora_rank": {"ge": 1},
    "oft_rank": {"ge": 0},
    "oft_block_size": {"ge": 0},  # 0: peft derives it from oft_rank (one of the two must be set)
    "learning_rate": {"gt": 0},
    "cutoff_len": {"ge": 1},
    "num_train_epochs": {"gt": 0},
    "lora_dropout": {"ge": 0, "lt": 1},
    "warmup_steps": {"ge": 0},
    "warmup_ratio": {"ge": 0, "le": 1},
    "val_size": {"ge": 0},
    "weight_decay": {"ge": 0},
    "max_grad_norm": {"ge": 0},
    "logging_steps": {"ge": 0},
    "save_steps": {"gt": 0},
    "eval_steps": {"gt": 0},
    "quantization_bit": {"choices": [2, 3, 4, 5, 6, 8]},
    "export_quantization_bit": {"choices": [2, 3, 4, 8]},
    "ref_model_quantization_bit": {"choices": [4, 8]},
    "reward_model_quantization_bit": {"choices": [4, 8]},
    # Types wider than the dataclass says, verified with LLaMA-Factory 0.9.5 (tests/differential):
    # __post_init__ splits these with split_arg, which passes a YAML list through unchanged,
    "dataset": {"type": "str | list[str]"},
    "eval_dataset": {"type": "str | list[str]"},
    "lora_target": {"type": "str | list[str]"},
    "additional_target": {"type": "str | list[str]"},
    "oft_target": {"type": "str | list[str]"},
    "galore_target": {"type": "str | list[str]"},
    "apollo_target": {"type": "str | list[str]"},
    "freeze_trainable_modules": {"type": "str | list[str]"},
    "freeze_extra_modules": {"type": "str | list[str]"},
    # transformers' Trainer.train also takes true: resume from the last checkpoint-N in output_dir;
    "resume_from_checkpoint": {"type": "str | bool"},
    # and peft only divides by lora_alpha, so a float trains (a float lora_rank crashes).
    "lora_alpha": {"type": "int | float"},
}


def python_default(raw: str) -> tuple[bool, object]:
    """Return (has_literal_default, value) for the table's default column."""
    text = raw.strip()
    if text.startswith("[] (factory)"):
        return True, []
    for cut in (" [", " (", " -"):
        if cut in text:
            text = text.split(cut, 1)[0].strip()
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False, None


def literal(values: list[object]) -> str:
    return "Literal[" + ", ".join(repr(v) for v in values) + "]"


def annotation(name: str, typ: str, choices: str) -> str:
    optional = "None" in re.sub(r"Literal\[.*?\]", "", typ)
    choice_list = [c for c in choices.split(",") if c] if choices else []
    plain_choices = bool(choice_list) and all(re.fullmatch(r"[\w.\-]+", c) for c in choice_list)
    if "type" in OVERRIDES.get(name, {}):
        base = str(OVERRIDES[name]["type"])
    elif name in OVERRIDES and "choices" in OVERRIDES[name]:
        base = literal(list(OVERRIDES[name]["choices"]))  # type: ignore[call-overload]
    elif name == "report_to":
        return "ReportTo | list[ReportTo] | None"
    elif name == "template":
        base = literal(choices.split(": ", 1)[1].split(","))
    elif typ.startswith("Literal[") and "|" not in typ.replace("| None", ""):
        base = typ.split(" | None")[0]
    elif "(enum)" in typ and plain_choices and not typ.startswith(("list", "str |")):
        base = literal(choice_list)
    elif typ.startswith("Literal["):
        base = typ
        optional = False
    elif name == "include_num_input_tokens_seen":
        base = "Literal['no', 'all', 'non_padding'] | bool"
    elif name == "trackio_static_space_id":
        return "str | Literal[False] | None"
    elif typ.startswith(("dict", "ParallelismConfig")):
        base = "dict[str, Any] | str" if "str" in typ else "dict[str, Any]"
    elif "list[" in typ:
        base = "str | list[str]" if "str |" in typ or "| str" in typ or typ.startswith("None") else "list[str]"
    elif typ.startswith("str | Path | GenerationConfig"):
        base = "str | dict[str, Any]"
    else:
        base = typ.replace(" | None", "").replace("None | ", "")
    return f"{base} | None" if optional and "None" not in base else base


def render_field(row: dict[str, str]) -> str:
    name = row["field"]
    ann = annotation(name, row["type"], row["choices"])
    has_default, default = python_default(row["default"])
    args: list[str] = [repr(default) if has_default and not isinstance(default, list) else ""]
    if isinstance(default, list):
        args = ["default_factory=list"]
    elif not has_default:
        args = ["None"]
    for bound in ("ge", "gt", "le", "lt"):
        if bound in OVERRIDES.get(name, {}):
            args.append(f"{bound}={OVERRIDES[name][bound]!r}")
    tag = row["lf_first_seen_tag"]
    since = "transformers" if tag.startswith("n/a") else "head" if tag.startswith("after") else tag.split(" ")[0]
    extra = {"since": since}
    if row["sub_dataclass"] and not row["sub_dataclass"].startswith(row["dataclass"]):
        extra["group"] = row["sub_dataclass"]
    args.append(f"json_schema_extra={extra!r}")
    return f"    {name}: {ann} = Field({', '.join(a for a in args if a)})"


def main(reference: Path) -> None:
    with (reference / "llamafactory_fields_head.tsv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = [r for r in csv.DictReader(lines, delimiter="\t") if r["settable"] == "yes"]
    OUT.mkdir(parents=True, exist_ok=True)
    exports: list[tuple[str, str]] = []
    for dataclass, (module, cls) in MODULES.items():
        fields = [render_field(r) for r in rows if r["dataclass"] == dataclass]
        if not fields:
            continue
        needs = {"Any"} if "Any" in "".join(fields) else set()
        header = [
            f'"""LLaMA-Factory `{dataclass}` fields (generated by tools/gen_llamafactory_fields.py)."""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import " + ", ".join(sorted(needs | {"Literal"})),
            "",
            "from pydantic import Field",
            "",
            "from lorachecks.formats.llamafactory.fields.base import ArgsModel"
            + (", ReportTo" if cls == "TrainingArgs" else ""),
            "",
            "",
            f"class {cls}(ArgsModel):",
            f'    """Arguments LLaMA-Factory reads into `{dataclass}`."""',
            "",
        ]
        (OUT / f"{module}.py").write_text("\n".join(header + fields) + "\n", encoding="utf-8")
        exports.append((module, cls))
    base = f'''"""Shared base of the generated LLaMA-Factory argument models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ReportTo = {literal(REPORT_TO)}


class ArgsModel(BaseModel):
    """Strict: the trainer converts no types on the YAML path, so neither do we."""

    model_config = ConfigDict(extra="forbid", strict=True, protected_namespaces=(), defer_build=True)
'''
    (OUT / "base.py").write_text(base, encoding="utf-8")
    init = ['"""LLaMA-Factory argument models, one per trainer dataclass."""', ""]
    init += [f"from lorachecks.formats.llamafactory.fields.{m} import {c}" for m, c in exports]
    init += ["", "__all__ = [" + ", ".join(repr(c) for _, c in exports) + "]", ""]
    (OUT / "__init__.py").write_text("\n".join(init), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"))

"""The training plan a config describes: method, rank, learning rate, batch, steps, data size.

One view over LLaMA-Factory and kohya / lora-scripts configs (read from the plain mapping),
for the LC5xx heuristics. Sample counts come from local files only and are ``None`` when the
data is not on this machine (hub datasets, missing files, formats we do not count).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lorachecks.core import fsmemo
from lorachecks.core.paths import can_be_path, read_json, resolve
from lorachecks.core.records import field, record
from lorachecks.estimate.sd import flatten
from lorachecks.formats import effective
from lorachecks.formats.effective import Effective
from lorachecks.formats.kohya.network_args import DEFAULT_NETWORK_DIM

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".avif", ".jxl"})
_COUNT_LIMIT = 50 * 1024 * 1024  # do not parse data files above this size


@record(slots=True)
class Plan:
    family: str  # "llm" or "sd"
    method: str  # "lora", "freeze", "full", "oft"
    rank: int | None = None
    rank_key: str | None = None
    alpha: float | None = None  # None: the trainer's default applies (see alpha_default)
    alpha_key: str | None = None
    alpha_default: str = ""
    rslora: bool = False
    learning_rates: dict[str, float] = field(default_factory=dict)  # key -> value
    optimizer: str = ""
    batch: int = 1
    batch_key: str | None = None
    accumulation: int = 1
    epochs: float | None = None
    epochs_key: str | None = None
    max_steps: int | None = None
    max_steps_key: str | None = None
    samples: int | None = None  # examples (LLM) or images x repeats (SD) per epoch
    samples_note: str = ""
    unique_samples: int | None = None  # SD: distinct images
    stage: str = "sft"
    invalid: bool = False  # batch/accumulation/epochs the trainer rejects: the schema rules report them

    def effective_batch(self, gpus: int) -> int:
        return self.batch * self.accumulation * max(gpus, 1)

    def steps_per_epoch(self, gpus: int) -> int | None:
        if self.samples is None:
            return None
        return max(math.ceil(self.samples / (self.batch * max(gpus, 1))) // self.accumulation, 1)

    def total_steps(self, gpus: int) -> int | None:
        if self.max_steps is not None and self.max_steps > 0:
            return self.max_steps
        per_epoch = self.steps_per_epoch(gpus)
        if per_epoch is None or self.epochs is None:
            return None
        return max(math.ceil(per_epoch * self.epochs), 1)


def _whole(value: object) -> int | None:
    """An int, or digits written as text (kohya GUIs write some numbers quoted); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def _int(values: Effective, key: str) -> int | None:
    """The key's whole number, or its default when it is unset or not one."""
    found = _whole(values[key])
    return found if found is not None else _whole(values.default(key))


def _float(values: Effective, key: str) -> float | None:
    """The number the file writes for ``key``; None when it writes none (the caller says which default applies)."""
    value = values.data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


@lru_cache(maxsize=256)
def _count_file(path: Path, mtime_ns: int) -> int | None:
    import json  # only data files need it: not imported on every start

    suffix = path.suffix.lower()
    try:
        if path.stat().st_size > _COUNT_LIMIT:
            return None
        if suffix == ".jsonl":
            with path.open("rb") as handle:
                return sum(1 for line in handle if line.strip())
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            return len(data) if isinstance(data, list) else None
        if suffix in {".csv", ".txt"}:
            with path.open("rb") as handle:
                lines = sum(1 for line in handle if line.strip())
            return max(lines - 1, 0) if suffix == ".csv" else lines
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return None


def count_records(path: Path) -> int | None:
    """Examples in a local data file or folder of files; None when not countable here."""
    try:
        if fsmemo.is_dir(path):
            files = sorted(p for p in path.iterdir() if p.is_file())
            counts = [count_records(p) for p in files]
            known = [c for c in counts if c is not None]
            return sum(known) if known and len(known) == len(counts) else None
        return _count_file(path, fsmemo.stat(path).st_mtime_ns)
    except OSError:
        return None


def _llamafactory_samples(config: dict[str, Any], base: Path) -> tuple[int | None, str]:
    """Examples the job trains on, counted once per run for each dataset choice."""
    read = tuple(
        (k in config, type(config.get(k)), config.get(k)) for k in ("dataset", "dataset_dir", "max_samples", "val_size")
    )
    try:
        hash(read)
    except TypeError:  # a list or mapping where a name or number belongs: count it here
        return _count_samples(config, base)
    return fsmemo.remember(("llamafactory_samples", read, base), lambda: _count_samples(config, base))


def _count_samples(config: dict[str, Any], base: Path) -> tuple[int | None, str]:
    values = effective.llamafactory(config)
    names = [n.strip() for n in str(values["dataset"] or "").split(",") if n.strip()]
    dataset_dir = values["dataset_dir"]
    if not names or not isinstance(dataset_dir, str) or dataset_dir == "ONLINE" or dataset_dir.startswith("REMOTE:"):
        return None, ""
    directory = resolve(dataset_dir, base)
    info, error = read_json(directory / "dataset_info.json")
    if error is not None or not isinstance(info, dict):
        return None, ""
    max_samples = _int(values, "max_samples")
    total = 0
    for name in names:
        entry = info.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("file_name"), str):
            return None, ""
        if any(entry.get(k) for k in ("hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name")):
            return None, ""
        count = count_records(directory / entry["file_name"])
        if count is None:
            return None, ""
        total += min(count, max_samples) if max_samples else count
    if total == 0:
        return None, ""  # empty data: the dataset rules report it, no plan to judge
    val = _float(values, "val_size")
    if val and 0 < val < 1:
        total = int(total * (1 - val))
    elif val and val >= 1:
        total = max(total - int(val), 0)
    return total, f"{total} examples in {', '.join(names)} (counted in {directory})"


def _kohya_samples(config: dict[str, Any], base: Path, kohya: bool) -> tuple[int | None, int | None, str]:
    """(images x repeats, distinct images) in `train_data_dir`: its `<repeats>_<name>`
    subfolders for sd-scripts, which skips images lying in the folder itself; those images,
    once each, for lora-scripts."""
    value = config.get("train_data_dir")
    if not isinstance(value, str) or not value.strip():
        return None, None, ""
    if not can_be_path(value):
        return None, None, ""
    root = resolve(value, base)
    if not root.is_dir():
        return None, None, ""
    # sd_data brings csv and json: imported only when a data folder is really there (start-up).
    from lorachecks.formats.sd_data import repeat_folders

    total = unique = 0
    try:
        for sub, repeats in repeat_folders(root)[0]:
            images = sum(1 for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            unique += images
            total += images * repeats
        if not unique and not kohya:  # lora-scripts: images directly in the folder, one repeat
            unique = total = sum(1 for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    except OSError:
        return None, None, ""
    if not unique:
        return None, None, ""
    return total, unique, f"{unique} images ({total} with repeats) in {root}"


def plan_of(config: dict[str, Any], format_name: str, base: Path) -> Plan:
    if format_name in {"kohya", "lora-scripts"} and str(config.get("task_type", "")) != "text-generation":
        return _sd_plan(flatten(config), base, format_name == "kohya")
    return _llm_plan(config, base)


def _llm_plan(config: dict[str, Any], base: Path) -> Plan:
    values = effective.llamafactory(config)
    method = values["finetuning_type"]
    plan = Plan(family="llm", method=method if isinstance(method, str) else values.default("finetuning_type"))
    plan.stage = str(values["stage"])
    if plan.method in {"lora", "oft"}:
        plan.rank = _int(values, "lora_rank")
        plan.rank_key = "lora_rank" if values.written("lora_rank") else None
        plan.alpha = _float(values, "lora_alpha")
        plan.alpha_key = "lora_alpha" if plan.alpha is not None else None
        plan.alpha_default = "LLaMA-Factory's default lora_alpha = 2 x lora_rank"
        if plan.alpha is None and plan.rank:
            plan.alpha = 2.0 * plan.rank
        plan.rslora = values["use_rslora"] is True
    lr = _float(values, "learning_rate")
    plan.learning_rates = {"learning_rate": lr if lr is not None else values.default("learning_rate")}
    plan.optimizer = str(values["optim"])
    batch = _int(values, "per_device_train_batch_size")
    accumulation = _int(values, "gradient_accumulation_steps")
    plan.invalid = batch is None or batch < 1 or accumulation is None or accumulation < 1
    plan.batch = max(batch or 1, 1)
    plan.batch_key = "per_device_train_batch_size" if values.written("per_device_train_batch_size") else None
    plan.accumulation = max(accumulation or 1, 1)
    epochs = _float(values, "num_train_epochs")
    plan.invalid |= epochs is not None and epochs <= 0
    plan.epochs = epochs if epochs is not None else float(values.default("num_train_epochs"))
    plan.epochs_key = "num_train_epochs" if epochs is not None else None
    max_steps = _int(values, "max_steps")
    if max_steps is not None and max_steps > 0:
        plan.max_steps, plan.max_steps_key = max_steps, "max_steps"
    plan.samples, plan.samples_note = _llamafactory_samples(config, base)
    plan.unique_samples = plan.samples
    return plan


def _sd_method(config: dict[str, Any]) -> str:
    """ "lora", or the LyCORIS algorithm (LoKr, LoHa, ... scale and rank differently)."""
    from lorachecks.formats.kohya.network_args import split_items

    args = config.get("network_args")
    if config.get("network_module") != "lycoris.kohya" or not isinstance(args, list):
        return "lora"
    algo = next(
        (v.strip().strip("'\"").lower() for _, k, v in split_items([str(a) for a in args]) if k == "algo"), "lora"
    )
    return "lora" if algo in ("lora", "locon") else algo


def _sd_plan(config: dict[str, Any], base: Path, kohya: bool) -> Plan:
    plan = Plan(family="sd", method=_sd_method(config))
    if kohya:
        values = effective.kohya(config)
        rank_key, alpha_key, batch_key, epochs_key = (
            "network_dim",
            "network_alpha",
            "train_batch_size",
            "max_train_epochs",
        )
    else:
        values = effective.lora_scripts(config)
        rank_key, alpha_key, batch_key, epochs_key = "lora_rank", "lora_alpha", "batch_size", "epochs"
    plan.rank = _int(values, rank_key)
    if plan.rank is None:  # sd-scripts leaves network_dim to the network module
        plan.rank = DEFAULT_NETWORK_DIM
    plan.rank_key = rank_key if values.written(rank_key) else None
    plan.alpha = _float(values, alpha_key)
    plan.alpha_key = alpha_key if plan.alpha is not None else None
    if plan.alpha is None:
        default_alpha = values.default(alpha_key)
        plan.alpha = float(default_alpha) if default_alpha is not None else float(plan.rank or 1)
        plan.alpha_default = (
            f"sd-scripts' default network_alpha = {default_alpha:g}" if kohya else "lora_alpha defaults to the rank"
        )
    for key in ("learning_rate", "unet_lr", "text_encoder_lr"):
        value = _float(values, key)
        if value is None and isinstance(config.get(key), str):
            try:
                value = float(config[key])
            except ValueError:
                value = None
        if value is not None and value > 0:
            plan.learning_rates[key] = value
    plan.optimizer = effective.kohya_optimizer(config)
    batch = _int(values, batch_key)
    accumulation = _int(values, "gradient_accumulation_steps") if kohya else 1
    plan.invalid = batch is None or batch < 1 or accumulation is None or accumulation < 1
    plan.batch = max(batch or 1, 1)
    plan.batch_key = batch_key if values.written(batch_key) else None
    plan.accumulation = max(accumulation or 1, 1)
    epochs = _int(values, epochs_key)
    if epochs:
        plan.epochs, plan.epochs_key = float(epochs), epochs_key if values.written(epochs_key) else None
    steps = _int(values, "max_train_steps")
    if not epochs or not kohya:  # lora-scripts: max_train_steps decides when both are set
        plan.max_steps = steps
        plan.max_steps_key = "max_train_steps" if values.written("max_train_steps") and steps else None
    plan.samples, plan.unique_samples, plan.samples_note = _kohya_samples(config, base, kohya)
    return plan

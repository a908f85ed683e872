"""Sample texts from the config's own dataset, for a batch of real tokens (no ML imports).

LLaMA-Factory: the first `dataset` entry of `dataset_dir/dataset_info.json` that is a local
JSON / JSONL file, in alpaca (instruction, input, output) or sharegpt (conversations)
formatting, with the entry's `columns` / `tags` renames. lora-scripts text: `metadata_path`
JSONL. These raw texts are the fallback where dryrun/encode.py cannot encode the dataset as
the trainer does (chat template, cutoff_len, masked prompts): the batch then has the
trainer's shape and the data's real token ids, packed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lorachecks.core.paths import read_json, resolve
from lorachecks.dryrun.config import Plan

MAX_RECORDS = 64
MAX_BYTES = 16 * 2**20


def dataset_info(plan: Plan, launch_dir: Path) -> tuple[Path, dict[str, Any]] | str:
    """The folder and content of the config's `dataset_dir/dataset_info.json`, or why not."""
    if not plan.dataset:
        return "no dataset in the config"
    directory = resolve(plan.dataset_dir, launch_dir)
    info, error = read_json(directory / "dataset_info.json")
    if error is not None or not isinstance(info, dict):
        return f"no readable {directory / 'dataset_info.json'}"
    return directory, info


def dataset_entry(plan: Plan, launch_dir: Path) -> tuple[str, dict[str, Any], Path | None] | str:
    """The config's first dataset (where the trainer's first examples come from): its name,
    its dataset_info.json entry and its local file (None when it names none), or why not."""
    found = dataset_info(plan, launch_dir)
    if isinstance(found, str):
        return found
    directory, info = found
    name = plan.dataset[0]
    entry = info.get(name)
    if not isinstance(entry, dict):
        return f"dataset `{name}` is not in {directory / 'dataset_info.json'}"
    file_name = entry.get("file_name")
    return name, entry, directory / file_name if isinstance(file_name, str) else None


def sample_texts(plan: Plan, launch_dir: Path) -> tuple[list[str], str]:
    """Up to MAX_RECORDS texts and where they came from; ([], why not) when unavailable."""
    found = dataset_info(plan, launch_dir)
    if isinstance(found, str):
        return [], found
    directory, info = found
    for name in plan.dataset:
        entry = info.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("file_name"), str):
            continue
        file = directory / entry["file_name"]
        if not file.is_file() or file.suffix not in (".json", ".jsonl") or file.stat().st_size > MAX_BYTES:
            continue
        records = _records(file)
        texts = [t for t in (_text(r, entry) for r in records[:MAX_RECORDS]) if t]
        if texts:
            return texts, f"dataset `{name}` ({file.name})"
    return [], "no local JSON dataset file among the config's datasets"


def _records(file: Path) -> list[Any]:
    try:
        text = file.read_text(encoding="utf-8-sig")
        if file.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines()[:MAX_RECORDS] if line.strip()]
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    return data if isinstance(data, list) else []


def _text(record: Any, entry: dict[str, Any]) -> str:
    if not isinstance(record, dict):
        return ""
    columns = entry.get("columns") if isinstance(entry.get("columns"), dict) else {}
    assert isinstance(columns, dict)
    if entry.get("formatting") == "sharegpt":
        tags = entry.get("tags") if isinstance(entry.get("tags"), dict) else {}
        assert isinstance(tags, dict)
        messages = record.get(columns.get("messages", "conversations"))
        content = tags.get("content_tag", "value")
        if not isinstance(messages, list):
            return ""
        return "\n".join(str(m.get(content, "")) for m in messages if isinstance(m, dict))
    parts = [
        record.get(columns.get(role, default))
        for role, default in (
            ("system", "system"),
            ("prompt", "instruction"),
            ("query", "input"),
            ("response", "output"),
        )
    ]
    return "\n".join(str(p) for p in parts if isinstance(p, str) and p)

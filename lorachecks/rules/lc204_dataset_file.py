"""A dataset registered with `file_name` whose file or folder is missing or unusable.

Entries with a hub URL (`hf_hub_url`, `ms_hub_url`, `om_hub_url`) are downloaded instead
and not checked here.

Why it matters: LLaMA-Factory joins `file_name` with `dataset_dir` and stops when the path
does not exist ("File X not found."), has an extension it cannot read ("Allowed file types:
arrow,csv,json,jsonl,parquet,txt."), or is a folder mixing file types ("File types should be
identical.").

Example, bad (dataset_info.json):

    "my_data": {"file_name": "my_data.xlsx"}

Good:

    "my_data": {"file_name": "my_data.jsonl"}

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off for
configs linted away from their models and data; `--launch-dir` (`launch-dir`) is the folder
relative paths resolve from.

Trainer source: LLaMA-Factory `data/loader.py` `_load_single_dataset`.

When the trainer stops: at start-up, when the data sets are loaded, before the model loads.
"""

from collections.abc import Iterator
from pathlib import Path

from lorachecks.core import fsmemo
from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import can_be_path
from lorachecks.formats.llamafactory.resolve import FILE_TYPES, HUB_SOURCES, config_of, dataset_info, used_datasets
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC204"
NAME = "dataset-file"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def _problem(path: Path) -> str | None:
    if not fsmemo.exists(path):
        return f"not found: {path}"
    files = [p for p in path.iterdir() if p.is_file()] if fsmemo.is_dir(path) else [path]
    types = {p.suffix.lstrip(".").lower() for p in files}
    if not files:
        return f"folder {path} holds no files"
    if len(types) > 1:
        return f"folder {path} mixes file types ({', '.join(sorted(types))}); they must be identical"
    if not types <= FILE_TYPES:
        return f"{path.name} has a type the trainer cannot read (allowed: {', '.join(sorted(FILE_TYPES))})"
    return None


def check(ctx: RuleContext) -> Iterator[Finding]:
    config = config_of(ctx)
    if not ctx.settings.path_checks or config is None:
        return
    info = dataset_info(ctx, config)
    if info.directory is None or info.error is not None:
        return
    for key, name in used_datasets(config):
        entry = info.entries.get(name)
        if not isinstance(entry, dict) or any(entry.get(s) for s in HUB_SOURCES) or not entry.get("file_name"):
            continue
        file_name = str(entry["file_name"])
        problem = _problem(info.directory / file_name) if can_be_path(file_name) else "`file_name` is not a usable path"
        if problem:
            yield Finding(
                f"dataset `{name}`: {problem}", key, f"fix `file_name` of `{name}` in dataset_info.json", at="value"
            )

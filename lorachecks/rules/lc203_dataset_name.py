"""A dataset name that LLaMA-Factory cannot find in `dataset_dir/dataset_info.json`.

`dataset_dir` (default `data`) resolves from the launch directory; `dataset_dir: ONLINE`
(names are hub ids) and `REMOTE:` folders are not checked.

Why it matters: `dataset` takes names registered in `dataset_info.json`, not file paths.
An unknown name, a typo or a missing `dataset_info.json` stops the job ("Undefined dataset
X in dataset_info.json.", "Cannot open data/dataset_info.json").

Example, bad:

    dataset: alpca_en_demo
    dataset_dir: data

Good:

    dataset: alpaca_en_demo
    dataset_dir: data

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off for
configs linted away from their models and data; `--launch-dir` (`launch-dir`) is the folder
relative paths resolve from.

Trainer source: LLaMA-Factory `data/parser.py` `get_dataset_list`.

When the trainer stops: at start-up, when the data sets are read, after the tokenizer has
loaded and before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.core.suggest import closest
from lorachecks.formats.llamafactory.resolve import config_of, dataset_info, used_datasets
from lorachecks.rules.context import Finding, RuleContext, launch_note

CODE = "LC203"
NAME = "dataset-name"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    config = config_of(ctx)
    if not ctx.settings.path_checks or config is None:
        return
    used = used_datasets(config)
    if not used:
        return
    info = dataset_info(ctx, config)
    if info.error is not None:
        key = "dataset_dir" if "dataset_dir" in ctx.data else used[0][0]
        yield Finding(info.error, key, launch_note(ctx), at="value")
        return
    if info.directory is None:
        return
    for key, name in used:
        if name not in info.entries:
            if name.endswith((".json", ".jsonl", ".csv", ".parquet", ".txt")) or "/" in name:
                hint = "`dataset` takes names registered in dataset_info.json, not file paths: add an entry with `file_name`"
            else:
                guess = closest(name, info.entries, cutoff=0.7)
                hint = f"did you mean `{guess}`?" if guess else f"register it in {info.directory / 'dataset_info.json'}"
            yield Finding(
                f"dataset `{name}` is not defined in {info.directory / 'dataset_info.json'}", key, hint, at="value"
            )

"""A dataset whose `ranking` flag does not fit the training stage.

Why it matters: reward modelling and DPO read paired (chosen/rejected) data and need
`"ranking": true` in dataset_info.json; every other stage needs plain data. A mismatch
stops the job ("The dataset is not applicable in the current training stage."). KTO
reads a boolean `kto_tag` column mapped in the dataset's `columns`; without it every sample
is dropped ("Cannot find valid samples", verified with LLaMA-Factory 0.9.5).

Example, bad:

    stage: dpo
    dataset: alpaca_en_demo      # ranking: false

Good:

    stage: dpo
    dataset: dpo_en_demo         # ranking: true

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off for
configs linted away from their models and data; `--launch-dir` (`launch-dir`) is the folder
relative paths resolve from.

Trainer source: LLaMA-Factory `data/loader.py` `_get_merged_dataset` (the ranking check)
and `_get_preprocessed_dataset` ("Cannot find valid samples").

When the trainer stops: at start-up, while the data sets are prepared, before the model
loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.resolve import config_of, dataset_info, used_datasets
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC205"
NAME = "dataset-stage"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)

PAIRED_STAGES = ("rm", "dpo")  # DPO data is loaded as the rm stage


def check(ctx: RuleContext) -> Iterator[Finding]:
    config = config_of(ctx)
    if not ctx.settings.path_checks or config is None:
        return
    info = dataset_info(ctx, config)
    paired = config.stage in PAIRED_STAGES
    for key, name in used_datasets(config):
        entry = info.entries.get(name)
        if not isinstance(entry, dict):
            continue
        ranking = bool(entry.get("ranking", False))
        if ranking != paired:
            need = 'a paired dataset (`"ranking": true`)' if paired else 'a dataset without `"ranking": true`'
            yield Finding(
                f"stage `{config.stage}` needs {need}, but `{name}` is {'paired' if ranking else 'not paired'}",
                key,
                "pick a dataset made for this stage",
                at="value",
            )
        elif config.stage == "kto" and not _kto_column(entry):
            yield Finding(
                f"stage `kto` needs a `kto_tag` column, but dataset_info.json maps none for `{name}`",
                key,
                'map the boolean column in dataset_info.json: "columns": {"kto_tag": "label"}',
                at="value",
            )


def _kto_column(entry: dict[str, object]) -> bool:
    columns = entry.get("columns")
    return isinstance(columns, dict) and bool(columns.get("kto_tag"))

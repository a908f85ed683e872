"""A setting the job needs is missing.

For LLaMA-Factory: `model_name_or_path`, `dataset` when `do_train` is on, `output_dir`
(a warning: transformers falls back to a default folder), `reward_model` in PPO,
`export_quantization_dataset` for a quantized export and `project` for Trackio logging. For kohya dataset configs: a
`[[datasets]]` table, its `[[datasets.subsets]]`, and an `image_dir` or `metadata_file`
per subset. For lora-scripts: `base_model`, `metadata_path`, `output_dir` and, for images,
`train_data_dir`.

Why it matters: the trainer checks these at start-up and stops ("Please provide
`model_name_or_path`", "Please specify dataset for training"), or silently falls back to a
default you did not choose (no `output_dir` writes to ./trainer_output).

Example, bad:

    do_train: true
    finetuning_type: lora

Good:

    model_name_or_path: Qwen/Qwen3-4B
    do_train: true
    finetuning_type: lora
    dataset: alpaca_en_demo
    output_dir: saves/qwen3-4b/lora

Trainer source: LLaMA-Factory `hparams/model_args.py` `ModelArguments.__post_init__`
("Please provide `model_name_or_path`."), `hparams/finetuning_args.py`
`FinetuningArguments.__post_init__`, `hparams/parser.py` `_verify_trackio_args` and
`get_train_args` ("Please specify dataset for training."); transformers `training_args.py` `TrainingArguments`
(the `output_dir` default); sd-scripts `library/config_util.py` `ConfigSanitizer` and
`generate_dataset_group_by_blueprint` for dataset configs.

When the trainer stops: at start-up, before the model loads (LLaMA-Factory, sd-scripts);
without `output_dir` LLaMA-Factory does not stop.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC103"
NAME = "missing-required"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.format is not None and ctx.format.name == "llamafactory":
        yield from value_findings(ctx, _llamafactory)
    else:
        yield from ctx.schema_findings(CODE)


def _llamafactory(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.model_name_or_path is None:
        yield Finding(
            "`model_name_or_path` is required: the trainer stops with 'Please provide model_name_or_path'",
            "model_name_or_path",
            "set it to a local model folder or a hub id such as `Qwen/Qwen3-4B`",
        )
    if config.do_train and config.dataset is None:
        yield Finding(
            "`do_train: true` needs `dataset`: the trainer stops with 'Please specify dataset for training'",
            "dataset",
            "name datasets from dataset_info.json, e.g. `dataset: alpaca_en_demo`",
        )
    if config.do_train and config.output_dir is None:
        yield Finding(
            "no `output_dir`: checkpoints go to ./trainer_output (transformers' default)",
            "output_dir",
            "set `output_dir` so runs do not overwrite each other",
            severity=Severity.WARNING,
        )
    if config.stage == "ppo" and config.reward_model is None:
        yield Finding(
            "PPO training needs `reward_model`", "reward_model", "point `reward_model` at a reward model or adapter"
        )
    if config.export_quantization_bit is not None and config.export_quantization_dataset is None:
        yield Finding(
            "quantized export needs `export_quantization_dataset`",
            "export_quantization_bit",
            "give a calibration dataset file",
        )
    if "trackio" in config.reporters and not config.project:
        yield Finding("Trackio logging needs `project`", "report_to", "set `project: my-project`")

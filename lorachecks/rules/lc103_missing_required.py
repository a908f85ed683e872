"""A setting the job needs is missing.

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

For LLaMA-Factory it also asks for `reward_model` in PPO, `export_quantization_dataset`
for a quantized export and `project` for Trackio logging. In LLaMA-Factory:
`ModelArguments.__post_init__` and `FinetuningArguments.__post_init__` (hparams/) and
`get_train_args` (hparams/parser.py) stop at start-up, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
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

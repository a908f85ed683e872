"""Evaluation, logging, saving or scheduler settings transformers refuses together.

Reports evaluation without evaluation data, `eval_strategy: steps` or
`logging_strategy: steps` without a step count, a step interval above 1 that is not a whole
number, `load_best_model_at_end` whose save and eval schedules do not line up, a scheduler
that needs evaluation (`reduce_lr_on_plateau`, `greedy`) without it, and
`dataloader_prefetch_factor` without worker processes.

Why it matters: evaluation and checkpointing run on a schedule; when the schedule cannot be
followed (nothing to evaluate, no step count, a best model that may never be saved), the
trainer stops at start-up instead of after hours of training.

Example, bad:

    eval_strategy: steps
    eval_steps: 500

Good:

    eval_strategy: steps
    eval_steps: 500
    val_size: 0.1

Trainer source: `get_train_args` (hparams/parser.py) requires evaluation data;
transformers `TrainingArguments.__post_init__` checks the strategies, step counts,
`load_best_model_at_end`, the scheduler and the prefetch factor.

When the trainer stops: at start-up, while it reads the arguments, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC346"
NAME = "schedule-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.evaluates and config.eval_dataset is None and config.val_size < 1e-6:
        key = "eval_strategy" if config.is_set("eval_strategy") else "do_eval" if config.do_eval else "do_predict"
        yield Finding("evaluation is on but there is no evaluation data", key, "set `val_size: 0.1` or `eval_dataset`")
    if config.eval_strategy == "steps" and not config.eval_steps and config.logging_steps == 0:
        yield Finding("`eval_strategy: steps` needs non-zero `eval_steps` or `logging_steps`", "eval_strategy")
    if config.logging_strategy == "steps" and config.logging_steps == 0:
        yield Finding("`logging_strategy: steps` needs non-zero `logging_steps`", "logging_steps")
    for name in ("logging_steps", "eval_steps", "save_steps"):
        value = getattr(config, name)
        if isinstance(value, float) and value > 1 and not value.is_integer():
            yield Finding(f"`{name}` above 1 must be a whole number (got {value})", name)
    if config.load_best_model_at_end and config.save_strategy != "best":
        if config.save_strategy != config.eval_strategy:
            yield Finding(
                f"`load_best_model_at_end` needs `save_strategy` ({config.save_strategy}) to match `eval_strategy` ({config.eval_strategy})",
                "load_best_model_at_end",
            )
        elif config.eval_strategy == "steps" and config.eval_steps and config.save_steps % config.eval_steps:
            yield Finding(
                f"`save_steps` ({config.save_steps:g}) must be a multiple of `eval_steps` ({config.eval_steps:g})",
                "save_steps",
            )
    if config.lr_scheduler_type in ("reduce_lr_on_plateau", "greedy") and config.eval_strategy == "no":
        yield Finding(f"`lr_scheduler_type: {config.lr_scheduler_type}` needs an `eval_strategy`", "lr_scheduler_type")
    if config.dataloader_prefetch_factor is not None and config.dataloader_num_workers == 0:
        yield Finding("`dataloader_prefetch_factor` needs `dataloader_num_workers` > 0", "dataloader_prefetch_factor")

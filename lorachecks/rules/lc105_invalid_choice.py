"""A value is not one of the values the key accepts.

LLaMA-Factory keeps a `quantization_method` it does not know as text, and since no
quantization branch matches it, the model loads unquantized without a word
(`quantization_method: bitsandbytes` with `quantization_bit: 4` trained in full precision
with LLaMA-Factory 0.9.5, bitsandbytes not even installed). The message says which of the
two happens: a refusal, or a silent fallback.

kohya sd-scripts never refuses a config-file value outside an option's choices:
`read_config_from_file` gives the file's values to argparse as a namespace, and argparse
checks choices only on the command line. What the value then does is what is reported: nothing
for `dynamo_backend = "no"` without `torch_compile` (the kohya_ss GUI writes it into every
config) or `max_token_length = 75` (CLIP's own 75 tokens); an error for `max_token_length =
255` (75-token chunks: only 225 tokens are encoded, silently) or an unknown `loss_type`
(NotImplementedError at the first step). The table is `lorachecks/formats/kohya/choices.py`.
An sd-scripts `lr_scheduler` or `optimizer_type` that it does not know is an error when it
is close to a known name (a typo), else a warning: it may name a class sd-scripts imports
(`lr_scheduler_type`, a dotted optimizer path).

Why it matters: an unregistered `template`, a misspelled `lr_scheduler_type` or `optim`, or
an unknown `stage` stops the trainer ("Template qwen2 does not exist.", "cosin is not a
valid SchedulerType").

Example, bad:

    template: qwen2
    lr_scheduler_type: cosin

Good:

    template: qwen
    lr_scheduler_type: cosine

Options: `--llamafactory-version` decides which templates and choices exist.

Trainer source: LLaMA-Factory `data/template.py` `get_template_and_fix_tokenizer`
("Template ... does not exist."), transformers `training_args.py`
`TrainingArguments.__post_init__` (`SchedulerType(...)`, `OptimizerNames(...)`), the
`Literal` choices of LLaMA-Factory's argument dataclasses (`hparams/*.py`); sd-scripts
`library/train_util.py` `conditional_loss` for `loss_type`, `get_scheduler_fix` and
`get_optimizer` for the scheduler and optimizer names.

When the trainer stops: the scheduler and optimizer names at start-up, the template once
the tokenizer has loaded, a kohya `loss_type` at the first training step; an unknown
`quantization_method` never (the model trains unquantized).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.core.records import replace
from lorachecks.core.suggest import closest, show
from lorachecks.formats.kohya import choices as kohya_choices
from lorachecks.formats.kohya.fields import FIELDS as KOHYA_FIELDS
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

if TYPE_CHECKING:
    from lorachecks.formats.kohya.values import KohyaValues

CODE = "LC105"
NAME = "invalid-choice"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")

# Dataset formattings of dataset_info.json that users write as a `template`.
_DATA_FORMATS = frozenset({"sharegpt", "openai"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    if ctx.format is not None and ctx.format.name == "kohya":
        from lorachecks.rules.sd_values import kohya_findings  # not on the LLaMA-Factory path

        yield from kohya_findings(ctx, _kohya_names)
        yield from _kohya(ctx)
    llamafactory = ctx.format is not None and ctx.format.name == "llamafactory"
    for key, value, errors in errors_of_kind(ctx, "choice"):
        finding = finding_for(ctx, key, value, errors)
        if llamafactory and key == "quantization_method" and ctx.data.get("quantization_bit") is not None:
            # model_utils/quantization.py compares with each method; text matching none skips them all.
            finding = replace(
                finding,
                message=f"{finding.message}: LLaMA-Factory keeps it as text, no quantization method matches, "
                f"and the model loads unquantized without a word, when it loads (`quantization_bit` does nothing)",
                hint=finding.hint or "bitsandbytes is `bnb`",
            )
        elif llamafactory and key == "template" and value in _DATA_FORMATS:
            finding = replace(
                finding,
                message=f"{finding.message} (the run stops at start-up: 'Template {value} does not exist.')",
                hint=f"`{value}` is a dataset `formatting` in dataset_info.json; the template follows the model",
            )
        yield finding


def _kohya_names(config: KohyaValues) -> Iterator[Finding]:
    """A scheduler or optimizer name sd-scripts does not know (`train_util.get_scheduler_fix`,
    `get_optimizer`): a close one is a typo (an error), else a custom class it may still import."""
    scheduler = config.lr_scheduler
    if isinstance(scheduler, str) and scheduler and not config.lr_scheduler_type:
        name = scheduler.split(":")[0]
        if name not in kohya_choices.SCHEDULERS:
            guess = closest(name, kohya_choices.SCHEDULERS, cutoff=0.6)
            yield Finding(
                f"`lr_scheduler` {scheduler!r} is not a scheduler sd-scripts knows"
                + ("" if guess else f" (known: {', '.join(kohya_choices.SCHEDULERS)})"),
                "lr_scheduler",
                f"did you mean `{guess}`?" if guess else "or name a class with `lr_scheduler_type`",
                severity=None if guess else Severity.WARNING,
            )
    optimizer = config.optimizer_type
    if isinstance(optimizer, str) and optimizer and "." not in optimizer:
        lowered = {o.lower(): o for o in kohya_choices.OPTIMIZERS}
        if optimizer.lower() not in lowered:
            guess = closest(optimizer.lower(), lowered, cutoff=0.7)
            yield Finding(
                f"`optimizer_type` {optimizer!r} is neither an sd-scripts optimizer nor a torch.optim class",
                "optimizer_type",
                f"did you mean `{lowered[guess]}`?" if guess else "give a dotted path such as `pkg.module.Class`",
                severity=None if guess else Severity.WARNING,
            )


def _kohya(ctx: RuleContext) -> Iterator[Finding]:
    for key, value in ctx.data.items():
        kind, allowed = KOHYA_FIELDS.get(str(key), ("", ()))
        if not allowed or value in allowed or isinstance(value, (bool, list, dict)):
            continue
        if (kind == "int") != isinstance(value, int):
            continue  # a wrong type is LC104's
        outcome = kohya_choices.effect(str(key), value, ctx.data)
        if outcome is not None:
            severity, consequence = outcome
            listed = ", ".join(str(c) for c in allowed if c is not None)
            yield Finding(
                f"`{key}` = {show(value)} is not one of sd-scripts' choices ({listed}), which it does not check in"
                f" a config file: {consequence}",
                str(key),
                None,
                at="value",
                severity=severity,
            )

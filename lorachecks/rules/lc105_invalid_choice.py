"""A value is not one of the values the key accepts.

Why it matters: an unregistered `template`, a misspelled `lr_scheduler_type` or `optim`, or
an unknown `stage` stops the trainer ("Template qwen2 does not exist.", "cosin is not a
valid SchedulerType").

Not every refusal is loud: LLaMA-Factory keeps a `quantization_method` it does not know as
text, and since no quantization branch matches it, the model loads unquantized without a
word (`quantization_method: bitsandbytes` with `quantization_bit: 4` trained in full
precision with LLaMA-Factory 0.9.5, bitsandbytes not even installed). The message says
which of the two happens.

Example, bad:

    template: qwen2
    lr_scheduler_type: cosin

Good:

    template: qwen
    lr_scheduler_type: cosine
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.records import replace
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC105"
NAME = "invalid-choice"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")

# Dataset formattings of dataset_info.json that users write as a `template`.
_DATA_FORMATS = frozenset({"sharegpt", "openai"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
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

"""A value has the wrong type for its key.

Why it matters: LLaMA-Factory converts no types on the YAML path, so a quoted number
reaches the optimizer or PEFT as text and fails deep inside training (`TypeError: '<=' not
supported between instances of 'float' and 'str'`). PyYAML-based trainers read `2e-4` as
text because YAML 1.1 needs a dot in a float (and a sign in its exponent: `2.0e+4`).

Example, bad:

    lora_rank: "16"
    max_steps: ten

Good:

    lora_rank: 16
    max_steps: 10
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC104"
NAME = "wrong-type"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")
FIXABLE = True  # exponent numbers such as `2e-4` that PyYAML reads as text


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    for key, value, errors in errors_of_kind(ctx, "type"):
        yield finding_for(ctx, key, value, errors)

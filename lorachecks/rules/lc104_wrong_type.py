"""A value has the wrong type for its key.

Why it matters: LLaMA-Factory converts no types on the YAML path, so a quoted number
reaches the optimizer or PEFT as text and fails deep inside training (`TypeError: '<=' not
supported between instances of 'float' and 'str'`). PyYAML-based trainers read `2e-4` as
text because YAML 1.1 needs a dot in a float (and a sign in its exponent: `2.0e+4`).

A quoted boolean (`do_train: "true"`) reaches LLaMA-Factory as text, and any non-empty text
counts as true: `"true"` works by accident (a warning), `"false"` turns the option on (an
error). Both verified with LLaMA-Factory 0.9.5.

Example, bad:

    lora_rank: "16"
    max_steps: ten

Good:

    lora_rank: 16
    max_steps: 10
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.records import replace
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC104"
NAME = "wrong-type"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")
FIXABLE = True  # exponent numbers such as `2e-4` that PyYAML reads as text


_READS_TRUE = frozenset({"true", "yes", "on", "y", "1"})
_READS_FALSE = frozenset({"false", "no", "off", "n", "0", ""})


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    for key, value, errors in errors_of_kind(ctx, "type"):
        finding = finding_for(ctx, key, value, errors)
        llamafactory = ctx.format is not None and ctx.format.name == "llamafactory"
        if llamafactory and isinstance(value, str) and any(e["type"] == "bool_type" for e in errors):
            word = value.strip().lower()
            if word in _READS_TRUE:  # the trainer tests truthiness: this text works as true
                finding = replace(
                    finding,
                    message=f"{finding.message}: it works only because any non-empty text counts as true",
                    severity=Severity.WARNING,
                )
            elif word in _READS_FALSE and word:
                finding = replace(
                    finding,
                    message=f"{finding.message}: the trainer counts any non-empty text as true, so this turns `{key}` on",
                )
        yield finding

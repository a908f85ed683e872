"""A lora-scripts option that does nothing for the configured `task_type`.

Why it matters: image options (`resolution`, `conv_lora_rank`) are ignored by text
generation jobs and text options (`tokenizer`, `max_seq_length`) by text-to-image jobs, so
the config does not train what it appears to.

Example, bad:

    task_type: text-generation
    conv_lora_rank: 4

Good:

    task_type: text-generation
    max_seq_length: 1024
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC324"
NAME = "task-options"
SEVERITY = Severity.WARNING
FORMATS = ("lora-scripts",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)

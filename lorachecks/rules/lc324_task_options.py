"""A lora-scripts option that does nothing for the configured `task_type`.

Reports image options (`resolution`, `conv_lora_rank`) in a text-generation
job and text options (`tokenizer`, `max_seq_length`) in a text-to-image job. `epochs` with
`max_train_steps` is LC334, which `--select LC324` still includes.

Why it matters: the other task's options are ignored, so the config does not train what it
appears to.

Example, bad:

    task_type: text-generation
    conv_lora_rank: 4

Good:

    task_type: text-generation
    max_seq_length: 1024

Trainer source: lora-scripts has no public implementation; lorachecks owns this schema
(docs/formats/lora-scripts.md).

When the trainer stops: it does not; the options are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import lora_scripts_findings

if TYPE_CHECKING:
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig

CODE = "LC324"
NAME = "task-options"
SEVERITY = Severity.WARNING
FORMATS = ("lora-scripts",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from lora_scripts_findings(ctx, _task_options)


def _task_options(config: LoraScriptsConfig) -> Iterator[Finding]:
    from lorachecks.formats.lora_scripts.schema import IMAGE, IMAGE_ONLY, TEXT, TEXT_ONLY

    for key in IMAGE_ONLY if config.is_text else TEXT_ONLY:
        if config.is_set(key):
            yield Finding(
                f"`{key}` has no effect in a {config.task_type} job",
                key,
                f"remove it, or set `task_type: {IMAGE if config.is_text else TEXT}`",
                severity=Severity.WARNING,
            )

"""A key is defined twice in the same mapping.

Why it matters: LLaMA-Factory (OmegaConf) refuses the file ("found duplicate key"), while
PyYAML-based trainers (lora-scripts) and JSON readers silently keep the last value, so the
setting you read first is not the one that trains. In TOML a repeated key is a syntax
error (LC001).

Example, bad:

    learning_rate: 1.0e-4
    learning_rate: 5.0e-5

Good:

    learning_rate: 5.0e-5

Trainer source: OmegaConf's YAML loader (`omegaconf/_yaml.py`, the loader's
`flatten_mapping`), used by LLaMA-Factory's `hparams/parser.py` `read_args`; PyYAML's
`safe_load` keeps the last value without a word.

When the trainer stops: LLaMA-Factory at start-up; lora-scripts does not stop and trains
with the last value (reported as an error all the same: the file says two things).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC002"
NAME = "duplicate-key"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

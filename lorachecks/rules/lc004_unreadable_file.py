"""The file cannot be read as text (permissions, binary content, not UTF-8).

A file with NUL bytes (a binary file, or UTF-16 text) and bytes that are not UTF-8 are
refused; a UTF-8 byte-order mark is accepted.

Why it matters: trainers open configs as UTF-8 text; a file saved in another encoding or a
binary file in the config folder fails before training starts.

Example: a config saved as UTF-16 by a Windows editor. Re-save it as UTF-8.

Trainer source: `OmegaConf.load` opens YAML with `encoding="utf-8"` (LLaMA-Factory
`hparams/parser.py` `read_args`); sd-scripts `read_config_from_file` and the dataset
config reader open with `encoding="utf-8"` too.

When the trainer stops: at start-up, with a UnicodeDecodeError.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC004"
NAME = "unreadable-file"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

"""The file is not valid YAML, JSON or TOML.

The diagnostic points at the character where the parser gave up; the real mistake is often
on the line above (an unclosed quote or bracket, a tab used for indentation). A TOML key
written twice is a syntax error too: TOML allows each key and table once.

Why it matters: the trainer stops before reading a single option.

Example, bad:

    lora_target: [q_proj, v_proj

Good:

    lora_target: q_proj,v_proj

Trainer source: LLaMA-Factory `hparams/parser.py` `read_args` (`OmegaConf.load` for YAML,
`json.load` for JSON); sd-scripts `library/train_util.py` `read_config_from_file`
(`toml.load`) and `library/config_util.py` `ConfigSanitizer` / `load_user_config` for the
dataset config; lora-scripts reads YAML with PyYAML's `safe_load`.

When the trainer stops: at start-up, before the model or the data are loaded.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC001"
NAME = "syntax-error"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.load_problems(CODE)

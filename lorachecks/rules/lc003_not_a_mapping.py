"""The top level of a config file is not a mapping of keys to values.

Reported when the format is known (`--input-format`, or the project's `format` setting):
an unrecognised list or empty file is otherwise skipped, not linted.

Why it matters: trainers read a config as `key: value` pairs. A list, a single value or an
empty file gives the trainer nothing (or crashes its argument parser).

Example, bad:

    - model_name_or_path: Qwen/Qwen3-4B

Good:

    model_name_or_path: Qwen/Qwen3-4B

Options: `--input-format` (configuration `format`) makes a file of that format checked
whatever its content.

Trainer source: LLaMA-Factory `hparams/parser.py` `read_args` merges the loaded file with
the command line's overrides, which fails for a list ("Cannot merge incompatible container
types"); OmegaConf reads a lone word as a key without a value, which
`HfArgumentParser.parse_dict` then refuses as unknown; sd-scripts `read_config_from_file`
iterates the TOML's tables.

When the trainer stops: at start-up (an empty LLaMA-Factory config stops with "Please
provide `model_name_or_path`", from `ModelArguments.__post_init__`).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC003"
NAME = "not-a-mapping"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    data = ctx.doc.data
    if data is None or (isinstance(data, dict) and data):
        return
    kind = "empty" if data in ({}, "", None) else f"a {type(data).__name__}, not a mapping"
    yield Finding(f"the config is {kind}", hint="write the options as `key: value` lines")

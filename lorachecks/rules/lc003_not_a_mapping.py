"""The top level of a config file is not a mapping of keys to values.

Why it matters: trainers read a config as `key: value` pairs. A list, a single value or an
empty file gives the trainer nothing (or crashes its argument parser).

Example, bad:

    - model_name_or_path: Qwen/Qwen3-4B

Good:

    model_name_or_path: Qwen/Qwen3-4B
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
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

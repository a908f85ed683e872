"""A training argument that transformers 5 deprecates.

Notes `warmup_ratio` and `logging_dir` when the transformers release that
runs the config may be 5.x (`--transformers-version`, `--python-env`, or the range the
LLaMA-Factory release allows); with transformers 4.x they are current and nothing is said.

Why it matters: the run starts, with a deprecation warning, and the keys are due to be
removed; moving to `warmup_steps` (a value below 1 is a ratio) and the
TENSORBOARD_LOGGING_DIR environment variable keeps the config working on later releases.

Example, bad:

    warmup_ratio: 0.1

Good:

    warmup_steps: 0.1

Trainer source: transformers `TrainingArguments.__post_init__` (5.x) logs the deprecations.

When the trainer stops: it does not.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC354"
NAME = "deprecated-in-transformers5"
SEVERITY = Severity.INFO
FORMATS = ("llamafactory",)
ALIASES = ("LC302",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not (ctx.data.keys() & {"warmup_ratio", "logging_dir"}):
        return  # most files: no need to work out the transformers release
    from lorachecks.formats.llamafactory.environment import target

    if target(ctx.settings).high >= (5,):
        yield from value_findings(ctx, _notes)


def _notes(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.is_set("warmup_ratio"):
        yield Finding(
            "`warmup_ratio` is deprecated in transformers 5",
            "warmup_ratio",
            "use `warmup_steps` with a value below 1 (a ratio)",
        )
    if config.is_set("logging_dir"):
        yield Finding(
            "`logging_dir` is deprecated in transformers 5",
            "logging_dir",
            "set the TENSORBOARD_LOGGING_DIR environment variable instead",
        )

"""A KTransformers runtime option without KTransformers.

Reports `kt_cpu_activation` when `use_kt` is not true.

Why it matters: `kt_cpu_activation` chooses how KTransformers keeps activations on the
CPU; without `use_kt: true` there is no KTransformers runtime to configure, and
LLaMA-Factory refuses the option rather than ignore it.

Example, bad:

    kt_cpu_activation: recompute

Good:

    use_kt: true
    kt_cpu_activation: recompute

Trainer source: `ModelArguments.__post_init__` (hparams/model_args.py, at the tracked
commit after 0.9.5).

When the trainer stops: at start-up, while it reads the arguments, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC347"
NAME = "runtime-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.kt_cpu_activation is not None and not config.use_kt:
        yield Finding("`kt_cpu_activation` only works with `use_kt: true`", "kt_cpu_activation")

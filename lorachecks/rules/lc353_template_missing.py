"""A chat-format training run without `template`.

Notes a training run in a stage other than `pt` whose file sets no
`template`.

Why it matters: the template decides how prompts and answers are written out and which
tokens are trained. Without one, LLaMA-Factory takes the tokenizer's own chat template, or
the plain `empty` template when it has none, which may not match the model you fine-tune.

Example, bad:

    stage: sft
    do_train: true
    dataset: alpaca_en_demo

Good:

    stage: sft
    do_train: true
    dataset: alpaca_en_demo
    template: qwen3_nothink

Trainer source: `get_template_and_fix_tokenizer` (data/template.py) chooses the fallback
when `template` is unset.

When the trainer stops: it does not; it trains with the fallback template.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC353"
NAME = "template-missing"
SEVERITY = Severity.INFO
FORMATS = ("llamafactory",)
ALIASES = ("LC302",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _notes)


def _notes(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.template is None and config.do_train and config.stage != "pt":
        yield Finding(
            "no `template`: the chat template is taken from the tokenizer (or `empty`)",
            "template",
            "set the model's template, e.g. `template: qwen3_nothink`; use `default` for base models",
        )

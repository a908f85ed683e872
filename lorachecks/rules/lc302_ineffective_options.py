"""Options the trainer accepts but that do not do what the config suggests.

Why it matters: these start fine and then quietly differ from the intent: a deprecated
key, a setting that silently turns another on, a fallback (`init_special_tokens` without
its config), resized embeddings that LoRA leaves frozen, an optimizer default that newer
torch releases changed, or a launch requirement (FORCE_TORCHRUN, USE_MEGATRON_BRIDGE)
that the file alone cannot satisfy.

Example, bad:

    finetuning_type: lora
    resize_vocab: true

Good:

    finetuning_type: lora
    resize_vocab: true
    additional_target: embed_tokens,lm_head
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC302"
NAME = "ineffective-options"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)


# Notes about deprecations of transformers 5, which do not apply to a run on transformers 4.x.
_TRANSFORMERS_5_NOTES = frozenset({"warmup_ratio", "logging_dir"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    findings = ctx.schema_findings(CODE)
    if any(f.key in _TRANSFORMERS_5_NOTES for f in findings):
        from lorachecks.formats.llamafactory.environment import target

        if target(ctx.settings).high < (5,):
            findings = [f for f in findings if f.key not in _TRANSFORMERS_5_NOTES]
    yield from findings

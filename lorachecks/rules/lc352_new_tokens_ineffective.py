"""New-token settings that do not take effect as written.

Reports `init_special_tokens` other than `noise_init` without
`new_special_tokens_config`, and LoRA with `resize_vocab` but no `additional_target`.

Why it matters: both runs start and train, but the new tokens do not get what the config
asks for: the description-based initialisation falls back to noise, and with LoRA the
resized embedding and output layers stay frozen unless they are listed as extra trainable
modules, so the new tokens never learn.

Example, bad:

    finetuning_type: lora
    resize_vocab: true

Good:

    finetuning_type: lora
    resize_vocab: true
    additional_target: embed_tokens,lm_head

Trainer source: `ModelArguments.__post_init__` (hparams/model_args.py) logs the fallback;
`get_train_args` (hparams/parser.py) logs the reminder about `additional_target`, and
model/adapter.py trains only the modules listed there.

When the trainer stops: it does not; it trains without the intended effect.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC352"
NAME = "new-tokens-ineffective"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)
ALIASES = ("LC302",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _notes)


def _notes(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.init_special_tokens != "noise_init" and config.new_special_tokens_config is None:
        yield Finding(
            f"`init_special_tokens: {config.init_special_tokens}` needs `new_special_tokens_config`; the trainer falls back to noise_init",
            "init_special_tokens",
            "add `new_special_tokens_config` or drop the setting",
        )
    if config.finetuning_type == "lora" and config.resize_vocab and not config.additional_target:
        yield Finding(
            "with LoRA, resized embeddings stay frozen unless listed in `additional_target`",
            "resize_vocab",
            "add `additional_target: embed_tokens,lm_head`",
        )

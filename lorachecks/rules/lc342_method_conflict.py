"""An option that belongs to another fine-tuning method or training stage.

Reports LoRA-only options (`loraplus_lr_ratio`, `use_rslora`, `use_dora`,
`pissa_init`, `adapter_name_or_path`) with another `finetuning_type`, `use_llama_pro` with
full tuning, and PiSSA initialisation in a stage that uses a reference or reward model
(PPO, KTO, DPO other than ORPO/SimPO).

Why it matters: these options change how LoRA adapters are built or loaded; with freeze or
full tuning there is no adapter for them to act on, and the trainer refuses the file rather
than train something else.

Example, bad:

    finetuning_type: full
    use_dora: true

Good:

    finetuning_type: lora
    use_dora: true

Trainer source: `FinetuningArguments.__post_init__` (hparams/finetuning_args.py) checks
the LoRA-only options, LLaMA Pro and PiSSA's stage; `_verify_model_args`
(hparams/parser.py) checks `adapter_name_or_path`.

When the trainer stops: at start-up, while it reads the arguments, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC342"
NAME = "method-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)

# Options that only shape LoRA adapters.
LORA_ONLY = ("loraplus_lr_ratio", "use_rslora", "use_dora", "pissa_init")


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.finetuning_type != "lora":
        for name in LORA_ONLY:
            if config.is_set(name) and getattr(config, name) not in (None, False):
                yield Finding(
                    f"`{name}` only works with `finetuning_type: lora` (this config uses `{config.finetuning_type}`)",
                    name,
                    "remove it or switch to LoRA",
                )
        if config.adapter_name_or_path is not None:
            yield Finding(
                "`adapter_name_or_path` only works with `finetuning_type: lora`",
                "adapter_name_or_path",
                "remove it or switch to LoRA",
            )
    if config.use_llama_pro and config.finetuning_type == "full":
        yield Finding("`use_llama_pro` only works with freeze or LoRA training", "use_llama_pro")
    uses_ref_model = config.stage == "dpo" and config.pref_loss not in ("orpo", "simpo")
    if config.pissa_init and (config.stage in ("ppo", "kto") or uses_ref_model):
        yield Finding(f"PiSSA initialisation cannot be used for stage `{config.stage}` here", "pissa_init")

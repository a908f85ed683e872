"""An option that LLaMA-Factory refuses together with DeepSpeed ZeRO-3.

The stage is read from the DeepSpeed JSON (or the inline mapping).

Why it matters: ZeRO-3 shards the weights, which breaks generation during evaluation
(`predict_with_generate`), PiSSA initialisation, `pure_bf16`, Unsloth, KTransformers and
8-bit bitsandbytes quantization; the job stops at start-up.

Example, bad:

    deepspeed: examples/deepspeed/ds_z3_config.json
    quantization_bit: 8

Good:

    deepspeed: examples/deepspeed/ds_z3_config.json
    quantization_bit: 4

Options: `--launch-dir` (`launch-dir`) is where a relative `deepspeed` path resolves from.

Trainer source: LLaMA-Factory `hparams/parser.py` `get_train_args` (`is_deepspeed_zero3_enabled()`
checks: "`predict_with_generate` is incompatible with DeepSpeed ZeRO-3.", "`pure_bf16` is
incompatible with DeepSpeed ZeRO-3.", Unsloth, KTransformers, PiSSA) and
`model/model_utils/quantization.py` `configure_quantization` for 8-bit bitsandbytes ("Only
4-bit quantized model can use fsdp+qlora or auto device map.").

When the trainer stops: at start-up, before the model loads (8-bit quantization: when the
model is being loaded).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.resolve import config_of
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC207"
NAME = "zero3-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)

_INCOMPATIBLE = {
    "predict_with_generate": "generation during evaluation",
    "pissa_init": "PiSSA initialisation (run scripts/pissa_init.py first)",
    "pure_bf16": "`pure_bf16`",
    "use_unsloth": "Unsloth",
    "use_kt": "KTransformers",
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    value = ctx.data.get("deepspeed")
    if value is None:
        return  # no DeepSpeed: nothing to conflict with, and its reader is not imported
    from lorachecks.formats.llamafactory.deepspeed import deepspeed_config

    config = config_of(ctx)
    ds = deepspeed_config(ctx, value)
    if config is None or ds is None or ds.zero_stage != 3:
        return
    for key, what in _INCOMPATIBLE.items():
        if getattr(config, key):
            yield Finding(
                f"{what} does not work with DeepSpeed ZeRO-3", key, "use a ZeRO-2 config or turn the option off"
            )
    if config.quantization_bit == 8 and config.quantization_method == "bnb":
        yield Finding(
            "8-bit bitsandbytes quantization does not work with ZeRO-3 (only 4-bit does)",
            "quantization_bit",
            "use `quantization_bit: 4`",
        )

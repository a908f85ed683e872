"""An option that LLaMA-Factory refuses together with DeepSpeed ZeRO-3.

Why it matters: ZeRO-3 shards the weights, which breaks generation during evaluation
(`predict_with_generate`), PiSSA initialisation, `pure_bf16`, Unsloth, KTransformers and
8-bit bitsandbytes quantization; the job stops at start-up. The stage is read from the
DeepSpeed JSON (or the inline mapping).

Example, bad:

    deepspeed: examples/deepspeed/ds_z3_config.json
    quantization_bit: 8

Good:

    deepspeed: examples/deepspeed/ds_z3_config.json
    quantization_bit: 4
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
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

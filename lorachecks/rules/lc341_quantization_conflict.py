"""An option the trainer cannot use on a quantized (`quantization_bit`) model.

With `quantization_bit` set, reports a fine-tuning type other than LoRA or
OFT, a bit width bitsandbytes does not offer, `pissa_init`, `resize_vocab`, more than one
adapter, `create_new_adapter` on a loaded adapter, and `quantization_device_map: auto` for
training.

Why it matters: a quantized model's weights are frozen integers. Only adapters on top of
them can train, its embeddings cannot grow, and PiSSA needs the full-precision weights; the
trainer refuses each of these combinations.

Example, bad:

    finetuning_type: full
    quantization_bit: 4

Good:

    finetuning_type: lora
    quantization_bit: 4

Trainer source: `_verify_model_args` (hparams/parser.py) checks the method, PiSSA, the
embeddings and the adapters; `get_train_args` refuses the device map in training; the bit
width is checked when the quantization config is built (model/model_utils/quantization.py).

When the trainer stops: at start-up, while it reads the arguments (the bit width: when it
prepares to load the model).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC341"
NAME = "quantization-conflict"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
ALIASES = ("LC301",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _conflicts)


def _conflicts(config: LlamaFactoryValues) -> Iterator[Finding]:
    if config.quantization_bit is None:
        return
    if config.finetuning_type not in ("lora", "oft"):
        yield Finding(
            f"`quantization_bit` only works with LoRA or OFT (this config uses `finetuning_type: {config.finetuning_type}`)",
            "quantization_bit",
            "use `finetuning_type: lora` for QLoRA, or drop `quantization_bit`",
        )
    if config.quantization_method == "bnb" and config.quantization_bit not in (4, 8):
        yield Finding(
            f"bitsandbytes only quantizes to 4 or 8 bits (got {config.quantization_bit})",
            "quantization_bit",
            "use 4 or 8, or `quantization_method: hqq`",
        )
    if config.pissa_init:
        yield Finding(
            "PiSSA cannot be initialised on a quantized model here", "pissa_init", "run scripts/pissa_init.py first"
        )
    if config.resize_vocab:
        yield Finding("embeddings of a quantized model cannot be resized", "resize_vocab")
    adapters = config.adapters
    if len(adapters) > 1:
        yield Finding("a quantized model accepts a single adapter", "adapter_name_or_path", "merge the adapters first")
    if adapters and config.create_new_adapter:
        yield Finding("cannot create a new adapter on a quantized model", "create_new_adapter")
    if config.do_train and config.quantization_device_map == "auto":
        yield Finding("`quantization_device_map: auto` cannot be used for training", "quantization_device_map")

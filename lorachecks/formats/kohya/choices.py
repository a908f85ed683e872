"""What sd-scripts does with a config-file value outside an option's ``choices``.

``train_util.read_config_from_file`` hands the file's values to ``parser.parse_args`` as a
namespace, and argparse checks ``choices`` only for values given on the command line: a value
from the file reaches the code as written. Whether that matters depends on the option, so
each one is described here from the code that reads it (sd-scripts 48d368fa).

:func:`effect` returns ``None`` when the run behaves as written, else the severity and what
happens (and when).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lorachecks.core.diagnostics import Severity

Effect = tuple[Severity, str] | None

ERROR = Severity.ERROR
WARNING = Severity.WARNING

# The scheduler names `train_util.get_scheduler_fix` knows (transformers' plus its own).
SCHEDULERS = (
    "linear cosine cosine_with_restarts polynomial constant constant_with_warmup inverse_sqrt "
    "reduce_lr_on_plateau cosine_with_min_lr cosine_warmup_with_min_lr warmup_stable_decay piecewise_constant "
    "adafactor"
).split()
# sd-scripts' own optimizer names, then torch.optim classes it falls back to (case-insensitive).
OPTIMIZERS = (
    "AdamW AdamW8bit PagedAdamW PagedAdamW8bit PagedAdamW32bit Lion Lion8bit PagedLion8bit SGDNesterov "
    "SGDNesterov8bit DAdaptation DAdaptAdamPreprint DAdaptAdaGrad DAdaptAdam DAdaptAdan DAdaptAdanIP DAdaptLion "
    "DAdaptSGD Prodigy AdaFactor RAdamScheduleFree AdamWScheduleFree SGDScheduleFree "
    "Adam SGD RMSprop Adagrad Adadelta Adamax NAdam RAdam ASGD LBFGS Rprop SparseAdam"
).split()

# CLIP's context: 75 tokens between <BOS> and <EOS>.
_CLIP_TOKENS = 75
# accelerate's DynamoBackend and PrecisionType names (it upper-cases / compares lower-case).
_DYNAMO_BACKENDS = frozenset(
    "no eager aot_eager inductor aot_ts_nvfuser nvprims_nvfuser cudagraphs ofi fx2trt onnxrt tensorrt "
    "aot_torchxla_trace_once torchxla_trace_once ipex tvm hpu_backend".split()
)
_LOG_LEVELS = frozenset({"CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"})
_INTERPOLATIONS = frozenset({"lanczos", "nearest", "bilinear", "linear", "bicubic", "cubic", "area", "box"})


def encoded_tokens(max_token_length: int) -> int:
    """Caption tokens the CLIP text encoders see for a ``max_token_length`` above 75.

    The tokenize strategy (strategy_base ``_get_input_ids``) cuts the caption into 75-token
    chunks starting at positions 1, 76, 151, ... below ``max_token_length - 73``.
    """
    return _CLIP_TOKENS * math.ceil((max_token_length - _CLIP_TOKENS + 1) / _CLIP_TOKENS)


def _max_token_length(value: Any, data: Mapping[str, Any]) -> Effect:
    if not isinstance(value, int) or isinstance(value, bool) or value == _CLIP_TOKENS:
        return None  # 75 is CLIP's own context, the same as leaving it unset; types are LC104's
    if value < _CLIP_TOKENS:
        return ERROR, (
            f"the tokenizer pads captions to {value + 2} tokens, which the text encoding cannot reshape into"
            f" CLIP's 77-token windows: the run stops at the first caption it encodes (caching or step 1)"
        )
    encoded = encoded_tokens(value)
    if encoded != value:
        return ERROR, f"only {encoded} tokens of each caption are encoded (75-token chunks), not {value}, silently"
    return None  # a multiple of 75 above 225 is encoded as written


def _dynamo_backend(value: Any, data: Mapping[str, Any]) -> Effect:
    if not data.get("torch_compile"):
        return None  # prepare_accelerator reads it only with torch_compile
    name = str(value).lower()
    if name == "no":
        return WARNING, "with `torch_compile`, backend `no` compiles nothing"
    if name not in _DYNAMO_BACKENDS:
        return ERROR, "accelerate refuses this backend when the accelerator is created, at start-up"
    return None


def _mixed_precision(value: Any, data: Mapping[str, Any]) -> Effect:
    if value == "fp8":
        return WARNING, "sd-scripts' prepare_dtype knows only fp16 and bf16: the weights stay float32"
    return ERROR, "accelerate refuses it when the accelerator is created, at start-up"


def _only_with(key: str, allowed: frozenset[object], effect: tuple[Severity, str]) -> Callable[..., Effect]:
    def check(value: Any, data: Mapping[str, Any]) -> Effect:
        return effect if data.get(key) in allowed else None

    return check


def _always(effect: tuple[Severity, str]) -> Callable[..., Effect]:
    return lambda value, data: effect


def _unless_in(valid: frozenset[str], effect: tuple[Severity, str]) -> Callable[..., Effect]:
    return lambda value, data: None if str(value) in valid else effect


_SAMPLING = ("sample_every_n_steps", "sample_every_n_epochs", "sample_at_first")

EFFECTS: dict[str, Callable[[Any, Mapping[str, Any]], Effect]] = {
    "max_token_length": _max_token_length,
    "dynamo_backend": _dynamo_backend,
    "mixed_precision": _mixed_precision,
    "save_precision": _always(
        (WARNING, "prepare_dtype sets no save dtype for it: the weights are saved in the training precision")
    ),
    "save_model_as": _always((WARNING, "the weights are saved with torch.save (a pickle) under that extension")),
    "loss_type": _always((ERROR, "conditional_loss raises NotImplementedError at the first step")),
    "huber_schedule": _only_with(
        "loss_type",
        frozenset({"huber", "smooth_l1"}),
        (ERROR, "get_huber_threshold_if_needed raises NotImplementedError at the first step"),
    ),
    "sample_sampler": lambda value, data: (
        (WARNING, "get_my_scheduler falls back to DDIM for the sample images")
        if any(data.get(k) for k in _SAMPLING)
        else None
    ),
    "log_with": _always((ERROR, "accelerate refuses the tracker when the accelerator is created, at start-up")),
    "resize_interpolation": _unless_in(
        _INTERPOLATIONS, (ERROR, "the dataset's interpolation check stops the run when the dataset is built")
    ),
    "console_log_level": _unless_in(
        _LOG_LEVELS, (ERROR, "setup_logging looks the name up in `logging` and stops at start-up")
    ),
    "offload_optimizer_device": _only_with(
        "deepspeed", frozenset({True}), (ERROR, "DeepSpeed refuses the device when it is set up")
    ),
    # prepare_deepspeed_plugin reads it only with deepspeed; DeepSpeed knows stages 0-3
    "zero_stage": _only_with(
        "deepspeed", frozenset({True}), (ERROR, "DeepSpeed refuses the ZeRO stage when it is set up, at start-up")
    ),
    "offload_param_device": _only_with(
        "deepspeed", frozenset({True}), (ERROR, "DeepSpeed refuses the device when it is set up")
    ),
}


def effect(key: str, value: Any, data: Mapping[str, Any]) -> Effect:
    """What a value outside ``key``'s choices does; options not described here are errors."""
    describe = EFFECTS.get(key)
    if describe is None:
        return ERROR, "sd-scripts passes it on unchecked and no code path expects it"
    return describe(value, data)

"""The ``key=value`` lists of sd-scripts: ``network_args``, ``optimizer_args``, ``lr_scheduler_args``.

sd-scripts splits each item on ``=`` (exactly one) and, for optimizer and scheduler
arguments, evaluates the value with ``ast.literal_eval``: ``betas=0.9,0.99`` is a tuple,
``weight_decay=1e-2`` a float, ``foo=bar`` a crash at start-up. ``network_args`` values stay
strings and go to the network module's ``create_network`` as keyword arguments, which
ignores keys it does not read.
"""

from __future__ import annotations

import ast
import re

from lorachecks.core.records import record

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The rank sd-scripts' LoRA networks (networks.lora and its SD3 / FLUX siblings) take when
# `network_dim` is unset: the argument's own default is None, left to create_network.
DEFAULT_NETWORK_DIM = 4

# Keys each network module's create_network reads (sd-scripts snapshot 48d368fa; LyCORIS 3.x).
_LORA = frozenset(
    {
        "conv_dim",
        "conv_alpha",
        "rank_dropout",
        "module_dropout",
        "block_dims",
        "block_alphas",
        "conv_block_dims",
        "conv_block_alphas",
        "down_lr_weight",
        "mid_lr_weight",
        "up_lr_weight",
        "block_lr_zero_threshold",
        "loraplus_lr_ratio",
        "loraplus_unet_lr_ratio",
        "loraplus_text_encoder_lr_ratio",
    }
)
_LYCORIS = frozenset(
    {
        "algo",
        "preset",
        "conv_dim",
        "conv_alpha",
        "dropout",
        "rank_dropout",
        "module_dropout",
        "factor",
        "decompose_both",
        "block_size",
        "use_tucker",
        "use_scalar",
        "dora_wd",
        "bypass_mode",
        "train_norm",
        "rescaled",
        "constraint",
        "rs_lora",
        "weight_decompose",
        "wd_on_output",
        "full_matrix",
        "unbalanced_factorization",
        "rank_dropout_scale",
        "loraplus_lr_ratio",
        "loraplus_unet_lr_ratio",
        "loraplus_text_encoder_lr_ratio",
    }
)
NETWORK_ARGS: dict[str, frozenset[str]] = {
    "networks.lora": _LORA,
    "networks.dylora": frozenset({"unit", "conv_dim", "conv_alpha", "module_dropout", "rank_dropout"}),
    "lycoris.kohya": _LYCORIS,
}
LYCORIS_ALGOS = ("lora", "locon", "loha", "lokr", "dylora", "glora", "full", "diag-oft", "boft", "ia3")


@record(frozen=True, slots=True)
class ArgProblem:
    index: int
    message: str
    hint: str | None = None


def split_items(values: list[str]) -> list[tuple[int, str, str]]:
    """The well-formed ``key=value`` items as (index, key, value)."""
    out = []
    for index, item in enumerate(values):
        key, sep, value = item.partition("=")
        if sep and "=" not in value and _IDENT.fullmatch(key.strip()):
            out.append((index, key.strip(), value))
    return out


def problems(option: str, values: list[str], literal: bool) -> list[ArgProblem]:
    """Malformed items of a ``key=value`` list; ``literal``: values go through literal_eval."""
    found = []
    for index, item in enumerate(values):
        key, sep, value = item.partition("=")
        if not sep:
            found.append(ArgProblem(index, f"`{option}` item {item!r} is not `key=value`", "write it as `name=value`"))
            continue
        if "=" in value:
            found.append(
                ArgProblem(
                    index,
                    f"`{option}` item {item!r} has more than one `=`: sd-scripts splits on every `=` and stops",
                    "one `key=value` per list item",
                )
            )
            continue
        if not _IDENT.fullmatch(key.strip()):
            found.append(ArgProblem(index, f"`{option}` item {item!r}: {key!r} is not a valid argument name"))
            continue
        if literal:
            try:
                ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                found.append(
                    ArgProblem(
                        index,
                        f"`{option}` value {value!r} of `{key}` is not a Python literal: sd-scripts evaluates it"
                        " with ast.literal_eval and stops",
                        f"quote text values: {key}='{value}'" if value and value[0] not in "'\"" else None,
                    )
                )
    return found

"""LoRA alpha far from the rank: updates scaled by alpha/rank are tiny or huge.

Checked for LLaMA-Factory `lora_alpha` (default 2 x rank) and kohya `network_alpha`
(default 1) / lora-scripts `lora_alpha` (default the rank).

Why it matters: the adapter's output is multiplied by alpha / rank (alpha / sqrt(rank)
with rsLoRA). Far below 1/4 the learning rate is silently divided (with sd-scripts'
default `network_alpha = 1`, by the dim); far above 4 (16 with rsLoRA; 2 for image
LoRAs) it is multiplied and training diverges. For image LoRAs the lower bound is 1/64.

Example, bad:

    lora_rank: 8
    lora_alpha: 256

Good:

    lora_rank: 8
    lora_alpha: 16

Trainer source: peft `tuners/lora/layer.py` `LoraLayer.update_layer` (`scaling = lora_alpha / r`,
or `/ sqrt(r)` with `use_rslora`), with LLaMA-Factory's default from
`hparams/finetuning_args.py` (`lora_alpha or lora_rank * 2`); sd-scripts
`networks/lora.py` `LoRAModule.__init__` (`scale = alpha / lora_dim`).

When the trainer stops: it does not; the run trains, only worse than it could.
"""

import math
from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, plan
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC503"
NAME = "alpha-scale"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory", "kohya", "lora-scripts")


def _target(family: str, rslora: bool) -> str:
    if rslora:
        return "sqrt(rank) to 4 x sqrt(rank)"
    return "the rank" if family == "sd" else "2 x rank"


def check(ctx: RuleContext) -> Iterator[Finding]:
    p = plan(ctx)
    if p.rank is None or p.rank <= 0 or p.alpha is None or p.alpha <= 0 or p.method not in {"lora", "oft"}:
        return
    scale = p.alpha / (math.sqrt(p.rank) if p.rslora else p.rank)
    if p.family == "llm":
        low, high = 0.25, 16.0 if p.rslora else 4.0
    else:
        low, high = 1 / 64, 2.0
    if low <= scale <= high:
        return
    formula = "alpha / sqrt(rank)" if p.rslora else "alpha / rank"
    effect = "divides the effective learning rate" if scale < low else "multiplies the effective learning rate"
    assumed = f" ({p.alpha_default}, as alpha is not set)" if p.alpha_key is None and p.alpha_default else ""
    yield Finding(
        f"LoRA scale {formula} = {p.alpha:g}/{p.rank if not p.rslora else f'sqrt({p.rank})'} = {scale:.3g} {effect}",
        key_of(ctx, p.alpha_key, p.rank_key),
        f"usual scales are {low:g}-{high:g}; set alpha near {_target(p.family, p.rslora)}{assumed}",
        at="value",
    )

"""Learning rate far outside the usual range for the method and optimizer.

Usual ranges: LLM LoRA/OFT 1e-6 to 3e-3, full/freeze 1e-7 to 3e-4, DPO/KTO LoRA up to
5e-4 and full up to 1e-4; image LoRA 1e-6 to 3e-3 (`unet_lr`, `text_encoder_lr`,
`learning_rate`); SGD allows 100 times more; adaptive optimizers (Prodigy,
D-Adaptation) expect about 1.0.

Why it matters: a LoRA learning rate of 1e-2 diverges in a few steps, a full fine-tune at
1e-3 destroys the pretrained model, and 1e-7 trains nothing; none of these fail, they
waste the run.

Example, bad:

    finetuning_type: full
    learning_rate: 1.0e-3

Good:

    finetuning_type: full
    learning_rate: 1.0e-5

Trainer source: none checks the range: transformers' `Trainer.create_optimizer` and
sd-scripts' `library/train_util.py` `get_optimizer` pass the value to the optimizer as
written (torch refuses only negative rates: LC106).

When the trainer stops: it does not; the run trains, only worse than it could.
"""

import re
from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, plan
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC504"
NAME = "learning-rate-range"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory", "kohya", "lora-scripts")

_ADAPTIVE = re.compile(r"prodigy|dadapt|d-adapt", re.IGNORECASE)


def _range(family: str, method: str, stage: str, optimizer: str) -> tuple[float, float, str]:
    if _ADAPTIVE.search(optimizer):
        return 0.1, 10.0, f"{optimizer}, which sets its own step size: the learning rate is a multiplier near 1.0"
    adapter = method not in {"full", "freeze"}  # LoRA, OFT and the LyCORIS algorithms
    low, high = (1e-6, 3e-3) if adapter else (1e-7, 3e-4)
    what = ("LoRA" if method in {"lora", "oft"} else method) if adapter else f"{method} fine-tuning"
    if family == "llm" and stage in {"dpo", "kto", "orpo", "simpo", "ppo"}:
        high = 5e-4 if adapter else 1e-4
        what += f" with stage {stage}"
    if optimizer.lower().startswith("sgd"):
        high *= 100
        what += " with SGD"
    return low, high, what


def check(ctx: RuleContext) -> Iterator[Finding]:
    p = plan(ctx)
    low, high, what = _range(p.family, p.method, p.stage, p.optimizer)
    for key, value in p.learning_rates.items():
        where = key_of(ctx, key)
        if where is None or value <= 0 or low <= value <= high:  # <= 0: LC106
            continue
        side = "high" if value > high else "low"
        yield Finding(
            f"`{key}` {value:g} is unusually {side} for {what}",
            where,
            f"usual range {low:g} to {high:g}",
            at="value",
        )

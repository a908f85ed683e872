"""A high LoRA rank on a small dataset.

Counted from local data only: LLaMA-Factory datasets in `dataset_info.json` (JSON/JSONL/CSV
files, after `max_samples` and `val_size`), kohya `<repeats>_<name>` image folders
(distinct images). Limits: LLMs rank 16 under 100 examples, 64 under 1,000, 256 under
10,000; images rank 64 under 50, 128 under 200.

Why it matters: the adapter's capacity grows with the rank; with few examples a high rank
memorises them (training loss near zero, worse outputs) without learning more.

Example, bad (40 examples):

    lora_rank: 256

Good:

    lora_rank: 8

Options: `--no-path-checks` turns it off (the data are not counted).

Trainer source: the rank is the size of each adapter matrix: peft `tuners/lora/layer.py`
`LoraLayer.update_layer` (`r`), sd-scripts `networks/lora.py` `LoRAModule` (`lora_dim`).
No trainer compares it with the data.

When the trainer stops: it does not; the run trains, only worse than it could.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, plan
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC502"
NAME = "rank-vs-data"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory", "kohya", "lora-scripts")

_LLM_LIMITS = ((100, 16), (1_000, 64), (10_000, 256))
_SD_LIMITS = ((50, 64), (200, 128))


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return
    p = plan(ctx)
    n = p.unique_samples
    if p.rank is None or n is None or p.method not in {"lora", "oft"}:
        return
    limits = _LLM_LIMITS if p.family == "llm" else _SD_LIMITS
    limit = next((rank for size, rank in limits if n < size), None)
    if limit is None or p.rank <= limit:
        return
    unit = "examples" if p.family == "llm" else "images"
    yield Finding(
        f"rank {p.rank} is high for {n} {unit}: the adapter will memorise them",
        key_of(ctx, p.rank_key) or key_of(ctx, "lora_rank", "network_dim"),
        f"use rank {limit} or less (assumed: {p.samples_note})",
        at="value",
    )

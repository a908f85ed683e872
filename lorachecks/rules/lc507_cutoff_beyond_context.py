"""`cutoff_len` longer than the model's context window.

Why it matters: LLaMA-Factory accepts it and trains on positions the model never saw
(quality drops, or position ids overflow) while padding memory for nothing. The context
is the model's `max_position_embeddings`, from a local `config.json` or the built-in
catalogue; `rope_scaling` in the config extends it and silences this rule.

Example, bad (Llama-2, 4096 positions):

    model_name_or_path: meta-llama/Llama-2-7b-hf
    cutoff_len: 8192

Good:

    cutoff_len: 4096            # or add rope_scaling: linear
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.estimate.lintsupport import key_of, model_key
from lorachecks.estimate.llm import resolve_llm
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC507"
NAME = "cutoff-beyond-context"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    cutoff = ctx.data.get("cutoff_len", 2048)
    if not isinstance(cutoff, int) or isinstance(cutoff, bool) or ctx.data.get("rope_scaling"):
        return
    resolved = resolve_llm(ctx.data.get("model_name_or_path"), ctx.settings.launch_dir)
    context = resolved.arch.max_position if resolved.arch is not None else None
    if context is None or cutoff <= context:
        return
    default = "" if "cutoff_len" in ctx.data else " (LLaMA-Factory's default)"
    yield Finding(
        f"cutoff_len {cutoff}{default} exceeds the model's context of {context} tokens",
        key_of(ctx, "cutoff_len") or model_key(ctx),
        f"use cutoff_len <= {context}, or set rope_scaling to extend the context (context from {resolved.source})",
        at="value",
    )

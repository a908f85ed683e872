"""An estimate: peak memory per GPU, its breakdown, and what it assumed."""

from __future__ import annotations

from typing import Any

from lorachecks.core.records import field, record

GIB = 1024**3

# Display order and labels of the breakdown entries.
COMPONENTS = {
    "weights": "weights (frozen + trainable, as loaded)",
    "trainable": "trainable parameters (LoRA / unfrozen, extra copies)",
    "gradients": "gradients",
    "optimizer": "optimizer states",
    "activations": "activations (peak; for LLMs incl. logits)",
    "overhead": "framework overhead (CUDA context, allocator)",
}


@record(slots=True)
class Estimate:
    """Peak training memory per GPU, in bytes per component."""

    model: str
    model_source: str  # where the dimensions came from; "unknown ..." when nowhere
    kind: str  # "llm" or the diffusion family
    known: bool = True
    breakdown: dict[str, float] = field(default_factory=dict)  # bytes
    assumptions: list[str] = field(default_factory=list)
    params: int = 0
    trainable_params: int = 0
    gpus: int = 1
    # Where the trainable parameters are, where a run trains several models (SD: denoiser, text encoders).
    trainable_parts: dict[str, int] = field(default_factory=dict)

    @property
    def total_bytes(self) -> float:
        return sum(self.breakdown.values())

    @property
    def total_gib(self) -> float | None:
        return round(self.total_bytes / GIB, 2) if self.known else None

    def breakdown_gib(self) -> dict[str, float]:
        return {k: round(v / GIB, 2) for k, v in self.breakdown.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_source": self.model_source,
            "kind": self.kind,
            "total_gib": self.total_gib,
            "breakdown": self.breakdown_gib() if self.known else {},
            "params": self.params,
            "trainable_params": self.trainable_params,
            "gpus": self.gpus,
            "assumptions": list(self.assumptions),
        }

    def summary(self) -> str:
        """One line: the total and its biggest parts, for lint hints."""
        if not self.known:
            return f"no estimate: {self.model_source}"
        parts = ", ".join(f"{k} {v:.1f}" for k, v in self.breakdown_gib().items() if v >= 0.05)
        return f"estimated peak {self.total_gib:.1f} GiB per GPU ({parts} GiB; model from {self.model_source})"

    def render_text(self, budget_gib: float | None = None) -> str:
        lines = [f"model: {self.model} ({self.kind}; dimensions from {self.model_source})"]
        if not self.known:
            where = "a local folder with config.json" if self.kind == "llm" else "a local .safetensors checkpoint"
            lines.append(f"no estimate: the model's size is unknown (point the config at {where}, or a known hub id)")
            lines += [f"  - {a}" for a in self.assumptions]
            return "\n".join(lines) + "\n"
        lines.append(f"parameters: {self.params / 1e9:.2f} B, trainable: {self.trainable_params / 1e6:.2f} M")
        lines.append("")
        width = max(len(v) for v in COMPONENTS.values())
        for key, label in COMPONENTS.items():
            if key in self.breakdown:
                lines.append(f"  {label:<{width}}  {self.breakdown[key] / GIB:8.2f} GiB")
        lines.append(f"  {'-' * width}  {'-' * 12}")
        per = "per GPU" if self.gpus == 1 else f"per GPU ({self.gpus} GPUs)"
        lines.append(f"  {'total peak ' + per:<{width}}  {self.total_bytes / GIB:8.2f} GiB")
        if budget_gib is not None:
            verdict = fit_verdict(self.total_bytes / GIB, budget_gib)
            lines.append(f"  budget {budget_gib:g} GiB per GPU: {verdict}")
        lines.append("")
        lines.append("assumptions:")
        lines += [f"  - {a}" for a in self.assumptions]
        return "\n".join(lines) + "\n"


def fit_verdict(total_gib: float, budget_gib: float) -> str:
    if total_gib > budget_gib:
        return f"does NOT fit ({total_gib - budget_gib:.1f} GiB over)"
    if total_gib > 0.9 * budget_gib:
        return f"fits with under 10 % headroom ({budget_gib - total_gib:.1f} GiB left)"
    return f"fits ({budget_gib - total_gib:.1f} GiB left)"

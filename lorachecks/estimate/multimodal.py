"""The vision tower and projector of a multimodal model, for the estimate (no ML imports).

LLaMA-Factory trains a vision-language model's parts as its switches say: the vision tower
and the projector stay frozen unless `freeze_vision_tower` / `freeze_multi_modal_projector`
are false, `freeze_language_model` freezes the rest, and `lora_target: all` adapts the
vision tower's Linear layers only while the tower is trained. The parts' sizes are read off
the checkpoint's safetensors header (tensor names and shapes, no weights), and a tensor
belongs to a part when its name holds one of the part's keys (the trainer's own table,
formats/llamafactory/trainer_tables.py), as the dry-run decides on the built model.
"""

from __future__ import annotations

import math
from pathlib import Path

from lorachecks.core.records import record
from lorachecks.formats.llamafactory.trainer_tables import COMPOSITES


@record(frozen=True, slots=True)
class VisionParts:
    """Tensor names and shapes of a multimodal checkpoint's vision tower and projector."""

    vision: tuple[tuple[str, tuple[int, ...]], ...]
    projector: tuple[tuple[str, tuple[int, ...]], ...]
    avoid: tuple[str, ...]  # keys of modules LoRA never adapts (patch embeddings)

    @property
    def vision_params(self) -> int:
        return sum(math.prod(shape) for _, shape in self.vision)

    @property
    def projector_params(self) -> int:
        return sum(math.prod(shape) for _, shape in self.projector)

    def trainable(self, train_vision: bool, train_projector: bool) -> int:
        """Every parameter of the parts that are not frozen (full tuning)."""
        return (self.vision_params if train_vision else 0) + (self.projector_params if train_projector else 0)

    def freeze_tuned(self, patterns: list[str], train_vision: bool, train_projector: bool) -> int:
        """Freeze tuning: the trainer matches its layer patterns (`.<layer id>.<module>`) in
        every parameter name, the vision tower's blocks included while the tower is trained,
        and trains the whole projector when it is not frozen."""
        vision = sum(math.prod(s) for n, s in self.vision if any(p in n for p in patterns)) if train_vision else 0
        return vision + (self.projector_params if train_projector else 0)

    def lora(self, rank: int, targets: list[str], dora: bool, train_vision: bool, train_projector: bool) -> int:
        """LoRA parameters on the parts' Linear layers: with `all`, every Linear of the vision
        tower while it is trained; named targets also match inside a trained projector."""
        chosen: list[tuple[str, tuple[int, ...]]] = []
        if train_vision:
            chosen += [t for t in self.vision if "all" in targets or _named(t[0], targets)]
        if train_projector and "all" not in targets:
            chosen += [t for t in self.projector if _named(t[0], targets)]
        total = 0
        for name, shape in chosen:
            module = name.removesuffix(".weight")
            # A Linear's weight is 2-D (out, in); embeddings are 2-D too, but not Linear layers.
            if len(shape) != 2 or not name.endswith(".weight") or "embed" in module.rsplit(".", 1)[-1]:
                continue
            if any(key in module for key in self.avoid):
                continue
            total += rank * (shape[0] + shape[1]) + (shape[0] if dora else 0)
        return total


def _named(tensor: str, targets: list[str]) -> bool:
    """LLaMA-Factory adapts a multimodal model's modules whose dotted name holds a target."""
    module = tensor.removesuffix(".weight").removesuffix(".bias")
    return any(t in module for t in targets if t != "all")


def vision_parts(folder: Path, model_type: str) -> VisionParts | None:
    """The parts of the checkpoint in ``folder`` for a multimodal ``model_type`` the trainer
    knows; None for another model type or without a readable safetensors header."""
    parts = COMPOSITES.get(model_type)
    if parts is None or not folder.is_dir():
        return None
    from lorachecks.files.safetensors_header import NotSafetensors, read_header

    projector_keys, vision_keys, _, avoid = parts
    vision: list[tuple[str, tuple[int, ...]]] = []
    projector: list[tuple[str, tuple[int, ...]]] = []
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    for file in files:
        try:
            header = read_header(file)
        except (NotSafetensors, OSError):
            return None
        for name, info in header.tensors.items():
            if any(key in name for key in projector_keys):
                projector.append((name, info.shape))
            elif any(key in name for key in vision_keys):
                vision.append((name, info.shape))
    return VisionParts(tuple(vision), tuple(projector), tuple(avoid))

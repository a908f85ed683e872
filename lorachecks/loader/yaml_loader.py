"""Position-aware YAML loading with a chosen trainer's semantics.

Two dialects exist because the trainers read YAML differently:

- ``omegaconf`` (LLaMA-Factory >= 0.9.4): YAML 1.1 plus a float rule that makes ``1e-4`` a
  float, duplicate keys rejected, timestamps left as strings.
- ``pyyaml`` (``yaml.safe_load``: lora-scripts, LLaMA-Factory <= 0.9.3): ``1e-4`` is a
  string, duplicate keys silently keep the last value.

Flat ``key: value`` files, most configs, are read by ``flat_yaml`` without importing
PyYAML; everything else by the full loader in ``yaml_nodes``.
"""

from __future__ import annotations

from pathlib import Path

from lorachecks.loader.document import Document
from lorachecks.loader.flat_yaml import load_flat
from lorachecks.loader.limits import DEFAULT_LIMITS, LimitExceeded, Limits, check_text, refused


def load_yaml(
    path: Path, text: str, dialect: str = "omegaconf", limits: Limits = DEFAULT_LIMITS, *, bounded: bool = True
) -> Document:
    """Load YAML text as the named trainer would, never raising for bad input.

    ``bounded=False`` is for JSON's position pass only: its data already passed ``check_tree``
    and JSON has no aliases, so the faster C composer is safe there.
    """
    doc = Document(path=path, text=text, syntax="yaml", dialect=dialect)
    try:
        check_text(text, limits)
    except LimitExceeded as exc:
        doc.problems.append(refused(exc))
        return doc
    flat = load_flat(path, text, dialect, limits.max_scalar_chars, limits.max_nodes)
    if flat is not None:
        return flat
    from lorachecks.loader.yaml_nodes import compose_yaml

    return compose_yaml(doc, text, limits, bounded)

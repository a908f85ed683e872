"""The DeepSpeed config a LLaMA-Factory config points at, read once per rule context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lorachecks.core.paths import is_placeholder, read_json
from lorachecks.core.records import record
from lorachecks.formats.llamafactory.resolve import local_path

if TYPE_CHECKING:
    from lorachecks.formats.view import ConfigView


@record(frozen=True, slots=True)
class DeepSpeedConfig:
    data: dict[str, Any] | None  # None when it could not be read (see error)
    error: str | None = None

    @property
    def zero_stage(self) -> int | None:
        zero = (self.data or {}).get("zero_optimization")
        stage = zero.get("stage") if isinstance(zero, dict) else None
        return stage if isinstance(stage, int) else None


def deepspeed_config(ctx: ConfigView, value: object) -> DeepSpeedConfig | None:
    """None when there is nothing to read (no `deepspeed`, or a file with path checks off)."""
    if isinstance(value, dict):
        return DeepSpeedConfig(value)
    if not isinstance(value, str) or not ctx.settings.path_checks:
        return None
    if value.lstrip().startswith("{"):  # transformers JSON-decodes such strings
        import json

        try:
            return DeepSpeedConfig(json.loads(value))
        except json.JSONDecodeError as exc:
            return DeepSpeedConfig(None, f"`deepspeed` is not valid JSON: {exc}")
    path = None if is_placeholder(value) else local_path(ctx, value)
    if path is None:
        return None  # interpolated (LC108) or a placeholder (LC202)
    data, error = read_json(path)
    if error is not None:
        return DeepSpeedConfig(None, f"cannot read DeepSpeed config {path}: {error}")
    if not isinstance(data, dict):
        return DeepSpeedConfig(None, f"DeepSpeed config {path} is not a JSON object")
    return DeepSpeedConfig(data)

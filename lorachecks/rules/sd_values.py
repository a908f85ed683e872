"""What the kohya and lora-scripts rules between fields share: running a check on the
effective values of a validated config.

A field that failed its own validation (LC104-LC106) stands at its default in the view, so
a finding anchored on it would blame the user for a value they did not write: such findings
are dropped, and the field's own error is what the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from lorachecks.formats.kohya.values import KohyaValues
from lorachecks.rules.context import Finding, RuleContext

if TYPE_CHECKING:
    from lorachecks.formats.kohya.dataset_schema import DatasetBase
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig


def kohya_findings(ctx: RuleContext, check: Callable[[KohyaValues], Iterable[Finding]]) -> Iterator[Finding]:
    """``check``'s findings on a kohya training config's effective values (the format's
    ``config_view``)."""
    config = ctx.validation.config
    if isinstance(config, KohyaValues):
        yield from ctx.on_valid_fields(check(config))


def dataset_findings(ctx: RuleContext, check: Callable[[DatasetBase], Iterable[Finding]]) -> Iterator[Finding]:
    """``check``'s findings on a kohya dataset config (its tables as written: nested values
    are checked by the schema's walk, which leaves them in place)."""
    from lorachecks.formats.kohya.dataset_schema import DatasetBase

    config = ctx.validation.config
    if isinstance(config, DatasetBase):
        yield from ctx.on_valid_fields(check(config))


def lora_scripts_findings(
    ctx: RuleContext, check: Callable[[LoraScriptsConfig], Iterable[Finding]]
) -> Iterator[Finding]:
    """``check``'s findings on a lora-scripts config (the validated model: its fields carry
    the defaults of the schema lorachecks owns)."""
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig

    config = ctx.validation.config
    if isinstance(config, LoraScriptsConfig):
        yield from ctx.on_valid_fields(check(config))

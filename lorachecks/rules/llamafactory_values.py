"""What the LLaMA-Factory rules between fields share: running a check on the effective values.

A field that failed its own validation (LC104-LC106) stands at its default in the view, so
a finding anchored on it would blame the user for a value they did not write: such findings
are dropped, and the field's own error is what the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from lorachecks.formats.llamafactory.resolve import config_of
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext

ValuesCheck = Callable[[LlamaFactoryValues], Iterable[Finding]]


def value_findings(ctx: RuleContext, check: ValuesCheck) -> Iterator[Finding]:
    """``check``'s findings on this file's effective values, less those on invalid fields."""
    config = config_of(ctx)
    if config is None:
        return
    yield from ctx.on_valid_fields(check(config))

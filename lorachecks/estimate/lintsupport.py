"""Shared pieces of the LC5xx rules: the plan and estimate of a file, computed once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lorachecks.estimate import estimate_config
from lorachecks.estimate.plan import Plan, plan_of
from lorachecks.estimate.result import Estimate
from lorachecks.loader import KeyPath

if TYPE_CHECKING:
    from lorachecks.rules.context import RuleContext


def _format(ctx: RuleContext) -> str:
    return ctx.format.name if ctx.format is not None else ""


def plan(ctx: RuleContext) -> Plan:
    cached = ctx.__dict__.get("_lc5_plan")
    if cached is None:
        cached = plan_of(ctx.data, _format(ctx), ctx.settings.launch_dir)
        ctx.__dict__["_lc5_plan"] = cached
    assert isinstance(cached, Plan)
    return cached


def estimate(ctx: RuleContext) -> Estimate:
    cached = ctx.__dict__.get("_lc5_estimate")
    if cached is None:
        cached = estimate_config(ctx.data, _format(ctx), ctx.settings.launch_dir, ctx.settings.gpus)
        ctx.__dict__["_lc5_estimate"] = cached
    assert isinstance(cached, Estimate)
    return cached


def key_of(ctx: RuleContext, *names: str | None) -> KeyPath | str | None:
    """Where the first of ``names`` is written: top level, or inside a TOML table."""
    for name in names:
        if name is None:
            continue
        if name in ctx.data:
            return name
        for table, value in ctx.data.items():
            if isinstance(value, dict) and name in value:
                return (str(table), name)
    return None


def model_key(ctx: RuleContext) -> KeyPath | str | None:
    return key_of(ctx, "model_name_or_path", "pretrained_model_name_or_path", "base_model")


def lookup(data: dict[str, Any], name: str) -> Any:
    if name in data:
        return data[name]
    for value in data.values():
        if isinstance(value, dict) and name in value:
            return value[name]
    return None

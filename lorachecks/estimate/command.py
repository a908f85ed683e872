"""`lorachecks estimate`: read one config, print its memory estimate (text or JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.records import record
from lorachecks.estimate import LLM_FORMATS, SD_FORMATS, estimate_config
from lorachecks.estimate.result import fit_verdict

if TYPE_CHECKING:
    from lorachecks.core.settings import Settings

ESTIMATE_FORMATS = LLM_FORMATS + SD_FORMATS


class UsageError(ValueError):
    """A bad option or unreadable input: exit 2 with this message."""


def settings_for(
    path: Path, options: Mapping[str, Any], config: Path | None = None, isolated: bool = False
) -> Settings:
    """``path``'s settings as `lint` would use them: the lint ``options`` given (by name, see
    lorachecks/core/options.py) over the project configuration."""
    from lorachecks.cli import lint_command
    from lorachecks.engine.config import ConfigError, project_settings

    try:
        base, given = lint_command.settings_from_options(options)
        return project_settings(base, given, config, isolated)(path)
    except (lint_command.UsageError, ConfigError) as exc:
        raise UsageError(str(exc)) from None


def _load(path: Path, settings: Settings) -> tuple[dict[str, Any], str]:
    from lorachecks.engine.linter import read_config
    from lorachecks.loader import syntax_of

    syntax = syntax_of(path)
    if syntax is None:
        raise UsageError(f"{path}: not a YAML, JSON or TOML file")
    doc, fmt = read_config(path, syntax, settings)
    if not doc.ok:
        first = doc.problems[0]
        raise UsageError(f"{path}:{first.position.line}:{first.position.column}: {first.message}")
    if not isinstance(doc.data, dict):
        raise UsageError(f"{path}: the top level is not a mapping of options")
    if fmt is None or fmt.name not in ESTIMATE_FORMATS:
        what = f"recognised as {fmt.title}" if fmt is not None else "not a recognised training config"
        raise UsageError(f"{path}: {what}; estimate reads {', '.join(ESTIMATE_FORMATS)} configs (--input-format)")
    return doc.data, fmt.name


@record(slots=True)
class Outcome:
    text: str
    exit_code: int  # 0 fits or no budget, 1 over budget or unknown model


def run_estimate(
    path: Path,
    options: Mapping[str, Any] | None = None,
    output_format: str = "text",
    config: Path | None = None,
    isolated: bool = False,
) -> Outcome:
    """``options``: the lint options estimate takes (gpu_memory, gpus, input_format,
    launch_dir, llamafactory_version), meaning what they mean to `lint`."""
    options = options or {}
    if output_format not in {"text", "json"}:
        raise UsageError(f"unknown output format {output_format!r} (choose from text, json)")
    input_format = options.get("input_format")
    if input_format is not None and input_format not in ESTIMATE_FORMATS:
        raise UsageError(f"unknown input format {input_format!r} (choose from {', '.join(ESTIMATE_FORMATS)})")
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    settings = settings_for(path, options, config, isolated)
    budget = settings.gpu_memory_gib
    data, format_name = _load(path, settings)
    est = estimate_config(data, format_name, settings.launch_dir, settings.gpus)
    over = budget is not None and est.total_gib is not None and est.total_gib > budget
    code = 1 if over or not est.known else 0
    if output_format == "json":
        document = {"path": str(path), "format": format_name, **est.to_json()}
        if budget is not None:
            document["budget_gib"] = budget
            document["fits"] = None if est.total_gib is None else not over
            if est.total_gib is not None:
                document["verdict"] = fit_verdict(est.total_gib, budget)
        return Outcome(json.dumps(document, indent=2) + "\n", code)
    return Outcome(f"{path} ({format_name})\n" + est.render_text(budget), code)

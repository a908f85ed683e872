"""`lorachecks estimate`: read one config, print its memory estimate (text or JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lorachecks.estimate import LLM_FORMATS, SD_FORMATS, estimate_config
from lorachecks.estimate.result import fit_verdict
from lorachecks.records import record

ESTIMATE_FORMATS = LLM_FORMATS + SD_FORMATS


class UsageError(ValueError):
    """A bad option or unreadable input: exit 2 with this message."""


def parse_memory(text: str) -> float:
    """``24GB``, ``24``, ``80GiB``, ``24576MB`` -> GiB (a card sold as 24 GB has 24 GiB)."""
    from lorachecks.option_values import parse_gpu_memory

    try:
        return parse_gpu_memory(text)
    except ValueError:
        raise UsageError(f"bad memory size {text!r}: write e.g. 24GB, 80GiB or 16000MB") from None


def _load(path: Path, input_format: str | None) -> tuple[dict[str, Any], str]:
    from lorachecks.linter import read_config
    from lorachecks.loader import syntax_of
    from lorachecks.settings import Settings

    syntax = syntax_of(path)
    if syntax is None:
        raise UsageError(f"{path}: not a YAML, JSON or TOML file")
    doc, fmt = read_config(path, syntax, Settings(format=input_format))
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
    gpu_memory: str | None = None,
    gpus: int = 1,
    output_format: str = "text",
    input_format: str | None = None,
    launch_dir: Path | None = None,
) -> Outcome:
    if output_format not in {"text", "json"}:
        raise UsageError(f"unknown output format {output_format!r} (choose from text, json)")
    if input_format is not None and input_format not in ESTIMATE_FORMATS:
        raise UsageError(f"unknown input format {input_format!r} (choose from {', '.join(ESTIMATE_FORMATS)})")
    if gpus < 1:
        raise UsageError("--gpus must be at least 1")
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    budget = parse_memory(gpu_memory) if gpu_memory is not None else None
    config, format_name = _load(path, input_format)
    est = estimate_config(config, format_name, (launch_dir or Path.cwd()).resolve(), gpus)
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

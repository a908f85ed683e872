"""The chat `template` is not the one the model was tuned with.

This rule looks the model up in LLaMA-Factory's model registry by its hub id, by its
folder's name, or (path checks on) by the `_name_or_path` its `config.json` records. Base
models have no chat format and are not checked, nor is pre-training (`stage: pt`). A
template that writes the same text and tokens around every turn as the model's own (one that
differs only in how it handles thoughts, such as `deepseek3` for a DeepSeek-R1 distill) fits.

Why it matters: LLaMA-Factory formats every sample with the `template` the config names,
whatever the model. A chat model tuned with another format (a Qwen2.5 Instruct model
trained with `template: llama3`) learns a new set of role markers and stop words, most of
them tokens it never saw; the run trains, but the model then answers properly only when
prompted with that template, and loses what it knew of its own format.

Example, bad:

    model_name_or_path: Qwen/Qwen2.5-7B-Instruct
    template: llama3

Good:

    model_name_or_path: Qwen/Qwen2.5-7B-Instruct
    template: qwen

Options: `--no-path-checks` stops the rule reading a local model's `config.json` (the
folder name is still used).

Trainer source: LLaMA-Factory `extras/constants.py` `register_model_group` (the template of
each registered chat model, `DEFAULT_TEMPLATE`); `data/template.py`
`get_template_and_fix_tokenizer` applies the configured template without comparing.

When the trainer stops: it does not; it trains the model on the other chat format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import read_json
from lorachecks.files.safety import is_dir
from lorachecks.formats.llamafactory.resolve import local_path
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC210"
NAME = "template-model-mismatch"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)


def _same_chat_format(configured: str, expected: str) -> bool:
    """Whether two templates write the same chat format, so either fits the model.

    Thinking and non-thinking variants of one format fit the same models, and so do templates
    that put the same text and tokens around every turn, differing only in how they handle
    thoughts (`deepseek3` / `deepseekr1` for DeepSeek-R1 distills, `qwen` / `qwen3`).
    """
    if configured.removesuffix("_nothink") == expected.removesuffix("_nothink"):
        return True
    from lorachecks.formats.llamafactory.template_formats import TEMPLATE_FORMATS, TemplateFormat

    def markup(fmt: TemplateFormat) -> tuple[object, ...]:
        return (fmt.prefix, fmt.system, fmt.user, fmt.assistant, fmt.stop_words, fmt.multimodal)

    first, second = TEMPLATE_FORMATS.get(configured), TEMPLATE_FORMATS.get(expected)
    return first is not None and second is not None and markup(first) == markup(second)


def model_template(ctx: RuleContext, model: str) -> tuple[str, str] | None:
    """(registry name of the model, its template) for a chat model the registry knows."""
    from lorachecks.formats.llamafactory.model_templates import BY_HUB_ID, BY_NAME

    candidates = [model.strip().rstrip("/\\")]
    if ctx.settings.path_checks:
        folder = local_path(ctx, model)
        if folder is not None and is_dir(folder):
            data, _error = read_json(folder / "config.json")
            recorded = data.get("_name_or_path") if isinstance(data, dict) else None
            if isinstance(recorded, str) and recorded:
                candidates.insert(0, recorded)
    for candidate in candidates:
        if candidate.lower() in BY_HUB_ID:
            return candidate, BY_HUB_ID[candidate.lower()]
        name = Path(candidate.replace("\\", "/")).name.lower().replace(":", "-")
        if name in BY_NAME:
            return candidate, BY_NAME[name]
    return None


def check(ctx: RuleContext) -> Iterator[Finding]:
    template, model = ctx.data.get("template"), ctx.data.get("model_name_or_path")
    if not isinstance(template, str) or not isinstance(model, str) or not model:
        return
    if ctx.data.get("stage") == "pt" or "template" in ctx.validation.field_errors:
        return  # pre-training reads plain text; an unknown template is LC105's
    known = model_template(ctx, model)
    if known is None or _same_chat_format(template, known[1]):
        return
    name, expected = known
    yield Finding(
        f"`template: {template}` does not fit `{model}`, a chat model tuned with the `{expected}` template"
        + (f" ({name})" if name != model else "")
        + ": the run teaches it another chat format, mostly tokens it has never seen, and the result"
        f" answers properly only with `{template}`",
        "template",
        f"use `template: {expected}`",
        at="value",
    )

"""`lora_target` names modules the model does not have.

Checked when the model is a local folder whose `config.json` names a known `model_type`;
`all` always works.

Why it matters: PEFT raises "Target modules {...} not found in the base model" after the
model has loaded. Module names differ by architecture (`q_proj` in Llama/Qwen,
`query_key_value` in ChatGLM/Falcon, `c_attn` in GPT-2/Qwen-1).

Example, bad (a Llama model):

    lora_target: query_key_value

Good:

    lora_target: q_proj,v_proj      # or: all

Options: `--no-path-checks` turns the check off (it reads the local `config.json`);
`--launch-dir` is where the model path resolves from.

Trainer source: peft `tuners/tuners_utils.py` `BaseTuner.inject_adapter`, reached from
LLaMA-Factory `model/adapter.py` `_setup_lora_tuning`; `all` is expanded by
`model/model_utils/misc.py` `find_all_linear_modules`.

When the trainer stops: after the model has loaded, when the adapter is added.
"""

from collections.abc import Iterator

from lorachecks.core.architectures import HEADS
from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.resolve import config_of, model_linear_modules
from lorachecks.formats.llamafactory.values import split_names
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC209"
NAME = "lora-target"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    config = config_of(ctx)
    if (
        not ctx.settings.path_checks
        or config is None
        or config.finetuning_type != "lora"
        or not config.model_name_or_path
    ):
        return
    targets = [t for t in split_names(config.lora_target) if t != "all"]
    found = model_linear_modules(ctx, config.model_name_or_path)
    if not targets or found is None:
        return
    model_type, linear = found
    modules = linear | HEADS
    missing = [t for t in targets if t.rsplit(".", 1)[-1] not in modules]
    if missing:
        yield Finding(
            f"`lora_target` names {', '.join(missing)}, which `{model_type}` models do not have",
            "lora_target",
            f"use `all`, or some of: {', '.join(sorted(linear))}",
            at="value",
        )

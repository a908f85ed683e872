"""A path that is still a template placeholder (`path/to/model`, `<your-model>`, `__MODEL__`).

Path checks decide: with them on (the default: this machine runs the config) a placeholder
the trainer loads is an error and one it writes is a warning. With `--no-path-checks` the
file is treated as a template someone fills in, like every other path in it, and nothing
is reported. `${VAR}` is not a placeholder but an interpolation LLaMA-Factory never
resolves, on any machine: LC108 reports it.

Why it matters: configs copied from READMEs and templates keep placeholders. Where the
trainer loads something from the path, every run stops: LLaMA-Factory 0.9.5 refuses
`adapter_name_or_path: path/to/your/lora/checkpoint` with "Can't find 'adapter_config.json'"
after the base model loads, and a placeholder model path with "Failed to load tokenizer"
at start-up. Where it writes (`output_dir`), the run creates a folder literally named after
the placeholder.

Example, bad:

    adapter_name_or_path: path/to/your/lora/checkpoint

Good:

    adapter_name_or_path: saves/qwen3-4b/lora/sft

Options: `--no-path-checks` (configuration `path-checks = false`) lints the file as a
template: placeholders are then expected.

Trainer source: LLaMA-Factory `model/loader.py` `load_tokenizer` for the model, peft
`PeftConfigMixin.from_pretrained` (from `model/adapter.py` `_setup_lora_tuning`) for an
adapter; transformers' `Trainer.__init__` creates `output_dir` as written.

When the trainer stops: a model at start-up, an adapter after the base model loads; an
output folder never (it is created under the placeholder's name).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import is_placeholder
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC202"
NAME = "placeholder-path"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)

# Keys LLaMA-Factory loads from, and when a missing one stops the run.
LOADED = {
    "model_name_or_path": "at start-up, when the tokenizer loads",
    "adapter_name_or_path": "after the base model loads, when the adapter is read",
    "dataset_dir": "at start-up, when dataset_info.json is read",
    "media_dir": "at start-up, when the data's images are read",
    "deepspeed": "at start-up, when the arguments are parsed",
    "ref_model": "after the model loads, when the reference model loads",
    "reward_model": "after the model loads, when the reward model loads",
}
# Keys naming folders the run creates: a placeholder becomes a real folder of that name.
WRITTEN = ("output_dir", "export_dir", "cache_dir", "tokenized_path")


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return  # a template: its paths are filled in on the machine that runs it
    for key, when in LOADED.items():
        value = ctx.data.get(key)
        if isinstance(value, str) and is_placeholder(value):
            yield Finding(
                f"`{key}` is a placeholder ({value}): the run stops {when}",
                key,
                "replace it with a real path or hub id (--no-path-checks lints the file as a template)",
                at="value",
            )
    for key in WRITTEN:
        value = ctx.data.get(key)
        if isinstance(value, str) and is_placeholder(value):
            yield Finding(
                f"`{key}` is a placeholder ({value}): the run writes into a folder literally named so",
                key,
                "replace it with the folder you want",
                at="value",
                severity=Severity.WARNING,
            )

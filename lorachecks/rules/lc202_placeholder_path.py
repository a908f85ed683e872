"""A path that is still a template placeholder (`/path/to/model`, `<your-model>`).

Why it matters: configs copied from READMEs keep placeholders; the job then fails looking
for a file nobody created. This is reported even with `--no-path-checks`, because it is
visible in the file itself.

Example, bad:

    model_name_or_path: /path/to/your/model

Good:

    model_name_or_path: /data/models/Qwen3-4B
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.paths import is_placeholder
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC202"
NAME = "placeholder-path"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)

PATH_KEYS = (
    "model_name_or_path",
    "adapter_name_or_path",
    "dataset_dir",
    "media_dir",
    "output_dir",
    "deepspeed",
    "tokenized_path",
    "cache_dir",
    "export_dir",
    "ref_model",
    "reward_model",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for key in PATH_KEYS:
        value = ctx.data.get(key)
        if isinstance(value, str) and is_placeholder(value):
            yield Finding(
                f"`{key}` is a placeholder: {value}", key, "replace it with a real path or hub id", at="value"
            )

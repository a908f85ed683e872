"""The trainer cannot open a config file of this name or type.

Why it matters: `llamafactory-cli train` only treats arguments ending in `.yaml`, `.yml`
or `.json` (lower case) as config files; `train.YAML` is passed on as a stray argument and
rejected. `.json` configs crash the loader of LLaMA-Factory 0.9.5 and newer
(`'PosixPath' object has no attribute 'read'`: it hands a path to `json.load`); 0.9.4 and
older read them.

Example, bad:

    llamafactory-cli train qwen3_lora_sft.json

Good:

    llamafactory-cli train qwen3_lora_sft.yaml

Options: `--llamafactory-version 0.9.4` (or older) accepts `.json` configs.

Trainer source: LLaMA-Factory `hparams/parser.py` `read_args`: `sys.argv[1].endswith(".yaml")`
/ `.yml` / `.json`, and `json.load(Path(...))` for JSON.

When the trainer stops: at start-up, before anything loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory import version_tuple
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC107"
NAME = "config-file-type"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    suffix = ctx.doc.path.suffix
    if suffix not in (".yaml", ".yml", ".json"):
        yield Finding(
            f"llamafactory-cli does not recognise the extension `{suffix}` (it is case-sensitive)",
            hint=f"rename the file to end in `{suffix.lower()}`",
        )
    elif suffix == ".json" and version_tuple(ctx.settings.llamafactory_version) >= (0, 9, 5):
        yield Finding(
            "LLaMA-Factory 0.9.5 and newer crash loading .json configs ('PosixPath' object has no attribute 'read')",
            hint="convert the config to YAML (the keys stay the same), or target 0.9.4 with --llamafactory-version",
        )

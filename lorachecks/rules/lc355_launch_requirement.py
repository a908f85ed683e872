"""A config that needs a particular launch command or environment variable.

Notes Megatron-Bridge keys in a file without `use_megatron_bridge`, which
the trainer only accepts when started with USE_MEGATRON_BRIDGE=1, and a DeepSpeed training
run, which must be launched distributed (FORCE_TORCHRUN=1 on a single GPU).

Why it matters: the file alone cannot make these runs start; launched the plain way, the
trainer refuses the Megatron-Bridge keys as unknown, or stops before training with
"Please use `FORCE_TORCHRUN=1` to launch DeepSpeed training".

Example, bad (started as `llamafactory-cli train x.yaml` on one GPU):

    deepspeed: examples/deepspeed/ds_z2_config.json

Good (started as `FORCE_TORCHRUN=1 llamafactory-cli train x.yaml`):

    deepspeed: examples/deepspeed/ds_z2_config.json

Trainer source: the argument parser adds `MegatronBridgeArguments` only under
USE_MEGATRON_BRIDGE (hparams/parser.py); `get_train_args` refuses DeepSpeed outside a
distributed launch; launcher.py starts torchrun for FORCE_TORCHRUN or several GPUs.

When the trainer stops: at start-up when launched without them.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.llamafactory.fast import group_fields
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.llamafactory_values import value_findings

CODE = "LC355"
NAME = "launch-requirement"
SEVERITY = Severity.INFO
FORMATS = ("llamafactory",)
ALIASES = ("LC302",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from value_findings(ctx, _notes)


def _notes(config: LlamaFactoryValues) -> Iterator[Finding]:
    megatron = sorted(n for n in group_fields("MegatronBridgeArgs") if config.is_set(n))
    if megatron and not config.use_megatron_bridge:
        yield Finding(
            "Megatron-Bridge keys are accepted only when the job runs with USE_MEGATRON_BRIDGE=1",
            megatron[0],
            "launch with `USE_MEGATRON_BRIDGE=1 llamafactory-cli train ...`",
        )
    if config.deepspeed is not None and config.do_train:
        yield Finding(
            "DeepSpeed runs must be launched distributed; on one GPU set FORCE_TORCHRUN=1",
            "deepspeed",
            "run `FORCE_TORCHRUN=1 llamafactory-cli train ...`",
        )

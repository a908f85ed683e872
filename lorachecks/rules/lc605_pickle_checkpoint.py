"""A base model or adapter is loaded from a pickle file (`.bin`, `.ckpt`, `.pt`, `.pth`).

It is a note (info), not a warning: the file loads and trains as written, and whether it is
safe depends on where it came from, which the config does not say.

Why it matters: a pickle checkpoint can run arbitrary code when it is loaded, so a file
from an untrusted source is a program, not just weights. The `.safetensors` format holds
the same tensors and cannot run code; most hubs publish it, and a pickle file converts
once (load it in a sandbox, save with `safetensors`).

Example, bad:

    pretrained_model_name_or_path: models/sd15.ckpt

Good:

    pretrained_model_name_or_path: models/sd15.safetensors

Options: raise it in the project settings (`severity = { LC605 = "warning" }`) to flag
every pickle load.

Trainer source: sd-scripts `library/model_util.py` `load_checkpoint_with_text_encoder_conversion`
(`torch.load(..., weights_only=False)` for anything not `.safetensors`) and
`networks/lora.py` `LoRANetwork.load_weights` (`torch.load` for `network_weights`).

When the trainer stops: it does not; the file is unpickled, and any code in it runs.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import can_be_path, resolve
from lorachecks.files.safety import PICKLE_SUFFIXES, is_dir, pickle_weights
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC605"
NAME = "pickle-checkpoint"
SEVERITY = Severity.INFO
FORMATS = None

# Keys naming weights to load, across LLaMA-Factory, kohya sd-scripts and lora-scripts.
MODEL_KEYS = (
    "model_name_or_path",
    "adapter_name_or_path",
    "pretrained_model_name_or_path",
    "base_model",
    "network_weights",
    "vae",
    "ref_model",
    "reward_model",
)
_HINT = "use a .safetensors file (it cannot run code); convert a trusted pickle once with the safetensors library"


def check(ctx: RuleContext) -> Iterator[Finding]:
    for key in MODEL_KEYS:
        value = ctx.data.get(key)
        if not isinstance(value, str):
            continue
        for name in (n.strip() for n in value.split(",") if n.strip()):
            if "${" in name or not can_be_path(name):
                continue
            if name.lower().endswith(PICKLE_SUFFIXES):
                yield Finding(
                    f"`{key}` loads a pickle file ({name}), which can run code when loaded", key, _HINT, at="value"
                )
                continue
            if not ctx.settings.path_checks:
                continue
            folder = resolve(name, ctx.settings.launch_dir)
            found = pickle_weights(folder) if is_dir(folder) else []
            if found:
                shown = ", ".join(found[:3]) + (" ..." if len(found) > 3 else "")
                yield Finding(
                    f"`{key}` folder {folder} holds only pickle weights ({shown}), which can run code when loaded",
                    key,
                    _HINT,
                    at="value",
                )

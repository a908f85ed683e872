"""The run's final weights file already exists: the new run replaces it without asking.

kohya sd-scripts writes the finished LoRA to `output_dir/<output_name>.<save_model_as>`
(`last.safetensors` when `output_name` is not set) and lora-scripts writes
`output_dir/lora_weights.safetensors`.

Why it matters: neither trainer checks whether the file is there. A config copied from an
earlier run, with the same output names, silently replaces the LoRA that run produced (and
its `-000001` epoch saves).

Example, bad (output/chara_v1.safetensors is the LoRA you trained last week):

    output_dir = "output"
    output_name = "chara_v1"

Good:

    output_dir = "output"
    output_name = "chara_v2"

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: sd-scripts `train_network.py` `NetworkTrainer.train`, its `save_model`
(`os.path.join(args.output_dir, ckpt_name)`, written over); lora-scripts has no public
implementation.

When the trainer stops: it does not; the earlier file is replaced when the run saves.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.sd_data import local_path
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC609"
NAME = "weights-file-exists"
SEVERITY = Severity.WARNING
FORMATS = ("kohya", "lora-scripts")


def _weights_name(ctx: RuleContext) -> tuple[str, str]:
    """The file name the trainer writes, and the key that names it."""
    assert ctx.format is not None
    if ctx.format.name == "lora-scripts":
        return "lora_weights.safetensors", "output_dir"
    name, extension = ctx.data.get("output_name"), ctx.data.get("save_model_as")
    stem = name if isinstance(name, str) and name else "last"  # sd-scripts' default output name
    suffix = extension if isinstance(extension, str) and extension else "safetensors"
    return f"{stem}.{suffix}", "output_name" if "output_name" in ctx.data else "output_dir"


def check(ctx: RuleContext) -> Iterator[Finding]:
    folder = local_path(ctx, "output_dir")
    if not ctx.settings.path_checks or folder is None:
        return
    name, key = _weights_name(ctx)
    try:
        exists = (folder / name).is_file()
    except OSError:  # a name the file system cannot hold is LC405/LC201's business
        return
    if exists:
        yield Finding(
            f"{folder / name} already exists: this run replaces it when it finishes",
            key,
            "give the run a new output_name (or output_dir), or move the earlier LoRA away",
            at="value",
        )

"""Sample images are switched on, but no `sample_prompts` file is named.

Why it matters: unless the command line adds `--sample_prompts` (SD-Trainer's launch scripts
do), sd-scripts starts and trains, then stops at the first sampling point with a TypeError: the sampler (`train_util.sample_images_common`, `flux_train_utils.sample_images`)
checks `os.path.isfile(args.sample_prompts)`, which fails on `None` instead of skipping. With
`sample_every_n_epochs` that is the end of the first sampled epoch; with `sample_every_n_steps`,
step N; with `sample_at_first`, before the first step. Whatever was trained is lost unless a
save came first. A warning, since the prompt file may come from the command line.

With path checks on, SD-Trainer's launch script beside the config (`train_by_toml.sh` or
`train_by_toml.ps1` in the config's folder or the one above, as in SD-Trainer's layout
`config/default.toml`) is read: when it names this config and passes `--sample_prompts`, the
prompt file comes from the command line and nothing is reported. A missing prompt file there
only logs an error: `os.path.isfile` of a path is false, so the sampler skips.

Example, bad:

    sample_every_n_epochs = 1

Good:

    sample_every_n_epochs = 1
    sample_prompts = "prompts.txt"
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.loader import read_text
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC327"
NAME = "sampling-without-prompts"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


# SD-Trainer's (lora-scripts') launch scripts: they start sd-scripts with `--config_file` and
# `--sample_prompts`.
LAUNCHERS = ("train_by_toml.sh", "train_by_toml.ps1")


def _launcher_gives_prompts(ctx: RuleContext) -> bool:
    """Whether an SD-Trainer launcher beside the config starts it with `--sample_prompts`."""
    config = ctx.doc.path.resolve()
    for folder in (config.parent, config.parent.parent):
        for name in LAUNCHERS:
            launcher = folder / name
            if not launcher.is_file():
                continue
            text, _problem = read_text(launcher, ctx.settings.max_file_bytes)
            if text is not None and config.name in text and "--sample_prompts" in text:
                return True
    return False


def check(ctx: RuleContext) -> Iterator[Finding]:
    data = ctx.data
    if data.get("sample_prompts"):
        return
    when = None
    epochs, steps = data.get("sample_every_n_epochs"), data.get("sample_every_n_steps")
    if data.get("sample_at_first") is True:
        key, when = "sample_at_first", "before the first step"
    elif isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0:
        key, when = "sample_every_n_epochs", f"at the end of epoch {epochs}"
    elif isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
        key, when = "sample_every_n_steps", f"at step {steps}"
    if when is None or (ctx.settings.path_checks and _launcher_gives_prompts(ctx)):
        return
    yield Finding(
        f"`{key}` turns on sample images but no `sample_prompts` file is set: unless the command line gives"
        f" --sample_prompts, the run stops {when} with a TypeError when the sampler looks for the prompt file",
        key,
        'set `sample_prompts = "prompts.txt"`, or remove the sampling option',
    )

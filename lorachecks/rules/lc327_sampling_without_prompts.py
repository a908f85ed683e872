"""Sample images are switched on, but no `sample_prompts` file is named.

Why it matters: unless the command line adds `--sample_prompts` (SD-Trainer's launch scripts
do), sd-scripts starts and trains, then stops at the first sampling point with a TypeError: the sampler (`train_util.sample_images_common`, `flux_train_utils.sample_images`)
checks `os.path.isfile(args.sample_prompts)`, which fails on `None` instead of skipping. With
`sample_every_n_epochs` that is the end of the first sampled epoch; with `sample_every_n_steps`,
step N; with `sample_at_first`, before the first step. Whatever was trained is lost unless a
save came first. A warning, since the prompt file may come from the command line.

Example, bad:

    sample_every_n_epochs = 1

Good:

    sample_every_n_epochs = 1
    sample_prompts = "prompts.txt"
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC327"
NAME = "sampling-without-prompts"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


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
    if when is None:
        return
    yield Finding(
        f"`{key}` turns on sample images but no `sample_prompts` file is set: unless the command line gives"
        f" --sample_prompts, the run stops {when} with a TypeError when the sampler looks for the prompt file",
        key,
        'set `sample_prompts = "prompts.txt"`, or remove the sampling option',
    )

"""`overwrite_output_dir: true` over an `output_dir` that already holds a run.

Why it matters: the new run writes its checkpoints and final weights into the same folder,
replacing the earlier run's files of the same name, and no longer resumes from the last
`checkpoint-N`. Days of training can be lost to a copied config. Give each run its own
`output_dir`, or resume on purpose.

Example, bad (saves/qwen3/sft already holds a finished adapter):

    output_dir: saves/qwen3/sft
    overwrite_output_dir: true

Good:

    output_dir: saves/qwen3/sft-run2

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: LLaMA-Factory `hparams/parser.py` `get_train_args` skips its
existing-output check (and the resume from `checkpoint-N`) when `overwrite_output_dir` is
set; transformers' `Trainer` then saves into the folder.

When the trainer stops: it does not; it writes over the earlier run.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.files.safety import output_state
from lorachecks.formats.llamafactory.resolve import train_output_dir
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC606"
NAME = "overwrite-output-dir"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    path = train_output_dir(ctx) if ctx.data.get("overwrite_output_dir") is True else None
    state = output_state(path) if path is not None else None
    if state is None or state.files == 0:
        return
    held = [*state.weights, *([state.last_checkpoint] if state.last_checkpoint else [])]
    what = f" ({', '.join(held)})" if held else ""
    yield Finding(
        f"`overwrite_output_dir: true` and `output_dir` {path} already holds {state.files} entries{what}: "
        "this run writes over them",
        "overwrite_output_dir",
        "give this run its own output_dir, or drop overwrite_output_dir to resume from the last checkpoint",
        at="value",
    )

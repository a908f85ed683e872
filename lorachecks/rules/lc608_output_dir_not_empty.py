"""`output_dir` already holds a finished run: LLaMA-Factory refuses to start (or silently resumes).

If the folder holds final weights (`adapter_model.safetensors`, `model.safetensors`, ...)
and no `checkpoint-N` folder, it is an error; if it holds a `checkpoint-N` folder, the run
resumes from the latest one without asking, so a changed config continues an old run (a
note). Reward-model and PPO runs with full or freeze tuning cannot resume and are not
checked, and neither is a run that names `resume_from_checkpoint` or sets
`overwrite_output_dir` (LC606).

Why it matters: the run stops at start-up, or trains on from where an earlier run stopped
instead of from the base model.

Example, bad (saves/qwen3/sft holds adapter_model.safetensors from an earlier run):

    output_dir: saves/qwen3/sft

Good:

    output_dir: saves/qwen3/sft-v2

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: LLaMA-Factory `hparams/parser.py` `get_train_args` (transformers'
`get_last_checkpoint`, then the `CHECKPOINT_NAMES` of `extras/constants.py`: "Output
directory already exists and is not empty. Please set `overwrite_output_dir`.").

When the trainer stops: at start-up, before the model loads (a folder with a checkpoint:
it does not, it resumes).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.files.safety import output_state
from lorachecks.formats.llamafactory.resolve import config_of, train_output_dir
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC608"
NAME = "output-dir-not-empty"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    data = ctx.data
    if data.get("overwrite_output_dir") is True or data.get("resume_from_checkpoint") is not None:
        return  # overwriting is LC606's; an explicit resume: LLaMA-Factory skips the check
    config = config_of(ctx)
    if config is not None and config.stage in ("rm", "ppo") and config.finetuning_type in ("full", "freeze"):
        return  # these stages cannot resume; LLaMA-Factory skips the check
    path = train_output_dir(ctx)
    state = output_state(path) if path is not None else None
    if state is None:
        return
    if state.last_checkpoint is not None:
        yield Finding(
            f"`output_dir` {path} holds {state.last_checkpoint}: LLaMA-Factory resumes from it without asking",
            "output_dir",
            "to start afresh use a new output_dir; to resume, nothing to do",
            at="value",
            severity=Severity.INFO,
        )
    elif state.weights:
        yield Finding(
            f"`output_dir` {path} already holds a finished run ({', '.join(state.weights)}): LLaMA-Factory stops with "
            '"Output directory already exists and is not empty"',
            "output_dir",
            "use a new output_dir, or set `overwrite_output_dir: true` to replace that run",
            at="value",
        )

"""A local model, adapter or checkpoint folder that does not exist or is not a model.

A hub id such as `Qwen/Qwen3-4B` is not a path and is not checked here; a value written as
a path (`/models/x`, `./x`, `a/b/c`) must be a folder with `config.json` (a model) or
`adapter_config.json` (an adapter). `resume_from_checkpoint` is always a local folder (or
`true`: the last `checkpoint-N` in `output_dir`).

Why it matters: the trainer only finds out after the job starts ("Failed to load
tokenizer", "Can't find 'adapter_config.json'"); a missing checkpoint to resume from stops
the run when training starts ("Can't find a valid checkpoint", "No valid checkpoint found
in output directory", verified with LLaMA-Factory 0.9.5).

Example, bad:

    model_name_or_path: /models/qwen3-4b      # folder missing

Good:

    model_name_or_path: Qwen/Qwen3-4B          # hub id, or an existing local folder

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off for
configs linted away from their models and data; `--launch-dir` (`launch-dir`) is the folder
relative paths resolve from.

Trainer source: LLaMA-Factory `model/loader.py` `load_tokenizer` ("Failed to load
tokenizer."); peft `config.py` `PeftConfigMixin.from_pretrained` for adapters, reached
from LLaMA-Factory `model/adapter.py` `_setup_lora_tuning`; transformers `trainer.py`
`Trainer.train` and `_load_from_checkpoint` for `resume_from_checkpoint`.

When the trainer stops: the model at start-up (the tokenizer loads first); an adapter after
the base model has loaded; a checkpoint when training starts, after both.
"""

import re
from collections.abc import Iterator
from pathlib import Path

from lorachecks.core import fsmemo
from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import is_placeholder, looks_local
from lorachecks.formats.llamafactory.resolve import config_of, local_path
from lorachecks.formats.llamafactory.values import split_names
from lorachecks.rules.context import Finding, RuleContext, launch_note

CODE = "LC201"
NAME = "model-path"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)

_MARKER = {"model_name_or_path": "config.json", "adapter_name_or_path": "adapter_config.json"}


def check(ctx: RuleContext) -> Iterator[Finding]:
    config = config_of(ctx)
    if not ctx.settings.path_checks or config is None:
        return
    for key, marker in _MARKER.items():
        for value in split_names(getattr(config, key)):
            if is_placeholder(value):
                continue  # LC202 reports placeholders
            path = local_path(ctx, value)
            if path is None:
                continue  # interpolated: LC108
            if not fsmemo.exists(path):
                if looks_local(value):
                    yield Finding(f"`{key}` folder not found: {path}", key, launch_note(ctx), at="value")
                continue  # not written as a path: a hub id the trainer downloads
            if not fsmemo.is_dir(path):
                yield Finding(
                    f"`{key}` must be a folder, but {path} is a file",
                    key,
                    "point at the folder that holds the weights and config",
                    at="value",
                )
            elif not fsmemo.is_file(path / marker):
                yield Finding(
                    f"`{key}` folder {path} has no {marker}",
                    key,
                    f"point at the folder that holds {marker}",
                    at="value",
                )
    resume = config.resume_from_checkpoint
    if not config.do_train or (config.stage in ("rm", "ppo") and config.finetuning_type in ("full", "freeze")):
        return  # the trainer ignores resume_from_checkpoint there
    if resume is True and config.output_dir:
        out = local_path(ctx, config.output_dir)
        if out is not None and not _has_checkpoint(out):
            yield Finding(
                f"`resume_from_checkpoint: true` resumes from the last checkpoint-N folder in {out}, and there is none",
                "resume_from_checkpoint",
                "name the checkpoint folder, or remove the key to start from scratch",
                at="value",
            )
    if isinstance(resume, str) and resume and not is_placeholder(resume):
        path = local_path(ctx, resume)
        if path is not None and not fsmemo.is_dir(path):
            what = "is a file, not a checkpoint folder" if fsmemo.exists(path) else "not found"
            yield Finding(
                f"`resume_from_checkpoint` folder {what}: {path}",
                "resume_from_checkpoint",
                launch_note(ctx),
                at="value",
            )


def _has_checkpoint(output_dir: Path) -> bool:
    """transformers' get_last_checkpoint: a `checkpoint-<number>` folder in output_dir."""
    try:
        return any(p.is_dir() and re.fullmatch(r"checkpoint-\d+", p.name) for p in output_dir.iterdir())
    except OSError:
        return False

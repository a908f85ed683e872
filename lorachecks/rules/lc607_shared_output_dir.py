"""Several configs in one lint run train into the same `output_dir`.

Paths are compared after resolving them from the launch directory, so `saves/x` and
`./saves/x/` are the same folder. The warning is on every config after the first (in the
order lorachecks lists files) and names that first config, as a duplicate key is reported
where it is repeated.

Why it matters: whichever run goes second overwrites (or silently resumes from) the first
run's checkpoints and final weights. Copying a config and changing the dataset but not the
`output_dir` is the usual cause.

Example, bad (two files):

    # sft_a.yaml                      # sft_b.yaml: warned, names sft_a.yaml
    output_dir: saves/qwen3/sft       output_dir: saves/qwen3/sft

Good: one `output_dir` per config.

Options: `--launch-dir` is where relative folders resolve from; only the files of one run
are compared.

Trainer source: LLaMA-Factory `hparams/parser.py` `get_train_args` resumes from the
`checkpoint-N` it finds in `output_dir`, or refuses a folder holding final weights; the
transformers `Trainer` writes into the folder as it finds it.

When the trainer stops: the second run stops at start-up if the first one finished
("Output directory already exists and is not empty"), resumes from its checkpoints if it
did not, or overwrites it with `overwrite_output_dir`.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import is_placeholder
from lorachecks.formats.llamafactory.resolve import local_path
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC607"
NAME = "shared-output-dir"
SEVERITY = Severity.WARNING
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Record this training config's output folder; ``check_run`` compares them."""
    output_dir = ctx.data.get("output_dir")
    if ctx.data.get("do_train") is not True or not isinstance(output_dir, str) or not output_dir.strip():
        return iter(())
    if is_placeholder(output_dir):
        return iter(())
    path = local_path(ctx, output_dir)
    if path is not None:
        where = ctx.doc.value_position("output_dir")
        ctx.facts[CODE] = (os.path.normpath(path), str(ctx.doc.path), where)
    return iter(())


def check_run(fact: Any, earlier: dict[Any, Any]) -> Iterator[Finding]:
    """``fact`` is this config's (folder, config path, position); ``earlier`` maps each
    folder to the first config of the run that trains into it and how many followed."""
    folder, path, where = fact
    first = earlier.get(folder)
    if first is None:
        earlier[folder] = [path, 0]
        return
    first[1] += 1
    # Named relative to the two configs' common folder: files of the same name in different
    # folders (train_full/x.yaml, extras/y/x.yaml) stay distinguishable.
    mine, theirs = Path(path), Path(first[0])
    common = Path(os.path.commonpath([str(mine.parent), str(theirs.parent)]))
    others = f" and {first[1] - 1} other config(s)" if first[1] > 1 else ""
    yield Finding(
        f"`output_dir` {folder} is also the output of {theirs.relative_to(common).as_posix()}{others}:"
        " the runs overwrite each other's checkpoints",
        "output_dir",
        "give each config its own output_dir",
        position=where,
    )

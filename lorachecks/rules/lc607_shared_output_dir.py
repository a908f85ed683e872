"""Several configs in one lint run train into the same `output_dir`.

Why it matters: whichever run goes second overwrites (or silently resumes from) the first
run's checkpoints and final weights. Copying a config and changing the dataset but not the
`output_dir` is the usual cause. Paths are compared after resolving them from the launch
directory, so `saves/x` and `./saves/x/` are the same folder.

Example, bad (two files):

    # sft_a.yaml                      # sft_b.yaml
    output_dir: saves/qwen3/sft       output_dir: saves/qwen3/sft

Good: one `output_dir` per config.
"""

import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lorachecks.diagnostics import Severity
from lorachecks.formats.llamafactory.resolve import local_path
from lorachecks.paths import is_placeholder
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.settings import Settings

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


def check_run(facts: Sequence[Any], settings: Settings) -> Iterator[tuple[int, Finding]]:
    users: dict[str, list[int]] = defaultdict(list)
    for index, fact in enumerate(facts):
        if fact is not None:
            users[fact[0]].append(index)
    for folder, indexes in users.items():
        if len(indexes) < 2:
            continue
        # Named relative to the configs' common folder: files of the same name in different
        # folders (train_full/x.yaml, extras/y/x.yaml) stay distinguishable.
        paths = {i: Path(facts[i][1]) for i in indexes}
        common = Path(os.path.commonpath([str(path.parent) for path in paths.values()]))
        for index in indexes:
            others = [paths[i].relative_to(common).as_posix() for i in indexes if i != index]
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            yield (
                index,
                Finding(
                    f"`output_dir` {folder} is also the output of {shown}: the runs overwrite each other's checkpoints",
                    "output_dir",
                    "give each config its own output_dir",
                    position=facts[index][2],
                ),
            )

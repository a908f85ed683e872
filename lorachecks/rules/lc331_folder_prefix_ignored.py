"""A subset folder named `<N>_<name>` in a dataset config: the `N` is not its repeat count.

Why it matters: the `<repeats>_<name>` folder convention is read only when sd-scripts builds the
subsets itself from `train_data_dir` (`config_util.generate_dreambooth_subsets_config_by_subdirs`).
A dataset config names each subset's `image_dir` directly, and its repeats come from `num_repeats`
(in the subset, its dataset or `[general]`; 1 when none is set). A folder `10_chara` with no
`num_repeats` is seen once per epoch, not ten times, silently; with `num_repeats = 3` it is seen
three times. When `num_repeats` is set, it states the intent and the prefix is only a leftover
(a note); when none is set, the run sees the folder once where its name says more (a warning).

Example, bad:

    [[datasets.subsets]]
    image_dir = "data/10_chara"

Good:

    [[datasets.subsets]]
    image_dir = "data/10_chara"
    num_repeats = 10
"""

from collections.abc import Iterator
from pathlib import PureWindowsPath

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.dataset_schema import effective
from lorachecks.formats.sd_data import folder_repeats
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC331"
NAME = "folder-prefix-ignored"
SEVERITY = Severity.WARNING
FORMATS = ("kohya-dataset",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    general = ctx.data["general"] if isinstance(ctx.data.get("general"), dict) else {}
    datasets = ctx.data.get("datasets")
    for d, dataset in enumerate(datasets if isinstance(datasets, list) else []):
        subsets = dataset.get("subsets") if isinstance(dataset, dict) else None
        for s, subset in enumerate(subsets if isinstance(subsets, list) else []):
            image_dir = subset.get("image_dir") if isinstance(subset, dict) else None
            if not isinstance(image_dir, str) or not image_dir.strip():
                continue
            prefix = folder_repeats(PureWindowsPath(image_dir.rstrip("/\\")).name)
            written = effective("num_repeats", subset, dataset, general)
            set_somewhere = written is not None
            if set_somewhere and (not isinstance(written, int) or isinstance(written, bool)):
                continue  # a wrong type is LC104's
            repeats = written if set_somewhere else 1
            if prefix is None or prefix == repeats:
                continue
            why = f"`num_repeats = {repeats}` is used" if set_somewhere else "no `num_repeats` is set, so it is 1"
            yield Finding(
                f"`image_dir` folder name says {prefix} repeats, but a dataset config ignores the prefix: {why}",
                ("datasets", d, "subsets", s, "image_dir"),
                f"set `num_repeats = {prefix}` in this subset if that is what you want",
                at="value",
                severity=Severity.INFO if set_somewhere else None,
            )

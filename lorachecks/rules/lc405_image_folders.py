"""kohya image folders: missing, not named `<repeats>_<name>`, empty, or with bad captions.

A dataset config's `image_dir` is checked the same way (repeats come from `num_repeats`).
`reg_data_dir` is read like `train_data_dir`, but a missing folder, or one without
`<repeats>_<name>` subfolders, is skipped without a word: the run trains without its
regularization images (a warning).

Why it matters: sd-scripts reads `train_data_dir` as a folder of `<repeats>_<name>`
subfolders (`10_mychar`: 10 repeats); other subfolders and images lying directly in
`train_data_dir` are skipped, and with nothing left it stops ("No data found"). An image
without a caption file of `caption_extension` (default `.caption`, not `.txt`) trains on
the folder's class name only, and a caption that is not UTF-8 stops the data loader. A
fine-tuning metadata file (`in_json`, a subset's `metadata_file`) that does not exist stops
sd-scripts ("no metadata").

Example, bad:

    train/chara/img001.png            # directly in train_data_dir
    train/chara/img001.txt            # caption_extension not set: .caption is read

Good:

    train/chara/10_chara/img001.png
    train/chara/10_chara/img001.txt   # with caption_extension = ".txt"

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: sd-scripts `library/config_util.py`
`generate_dreambooth_subsets_config_by_subdirs` (the `<repeats>_<name>` folders; others
are skipped), `library/train_util.py` `DreamBoothDataset` (`load_dreambooth_dir`,
`read_caption`: captions opened as UTF-8) and `FineTuningDataset` ("no metadata"), and
`train_network.py` `NetworkTrainer.train` ("No data found").

When the trainer stops: at start-up, when the data sets are built (before the model
loads); a non-UTF-8 caption when it is read, at start-up too; missing captions never.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.kohya.data import sources, training_root
from lorachecks.formats.sd_data import list_images, local_path, local_value, repeat_folders
from lorachecks.rules.context import Finding, RuleContext, launch_note

CODE = "LC405"
NAME = "image-folders"
SEVERITY = Severity.ERROR
FORMATS = ("kohya", "kohya-dataset")
WARN = Severity.WARNING


def _names(paths: tuple[object, ...] | list[object]) -> str:
    shown = [getattr(p, "name", str(p)) for p in paths[:4]]
    return ", ".join(shown) + (" ..." if len(paths) > 4 else "")


def _missing(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    if ctx.format.name == "kohya":
        config = local_path(ctx, "dataset_config")
        if config is not None and not config.is_file():
            yield Finding(
                f"`dataset_config` not found: {config}", "dataset_config", _hint(ctx, "dataset_config"), at="value"
            )
        metadata = local_path(ctx, "in_json")
        if metadata is not None and not ctx.data.get("dataset_config") and not metadata.is_file():
            yield Finding(
                f"`in_json` not found: {metadata}: sd-scripts stops (no metadata)",
                "in_json",
                _hint(ctx, "in_json"),
                at="value",
            )
        root = training_root(ctx)
        if root is None:
            return
        yield from _repeat_root(ctx, "train_data_dir", root, "sd-scripts finds no images")
        reg = local_path(ctx, "reg_data_dir")
        if reg is not None:
            yield from _repeat_root(ctx, "reg_data_dir", reg, "sd-scripts trains without regularization images")
        return
    datasets = ctx.data.get("datasets")
    for i, dataset in enumerate(datasets if isinstance(datasets, list) else []):
        subsets = dataset.get("subsets") if isinstance(dataset, dict) else None
        for j, subset in enumerate(subsets if isinstance(subsets, list) else []):
            if not isinstance(subset, dict):
                continue
            path = local_value(ctx, subset.get("image_dir"))
            if path is not None and not path.is_dir():
                yield Finding(f"`image_dir` not found: {path}", ("datasets", i, "subsets", j, "image_dir"), at="value")
            metadata = local_value(ctx, subset.get("metadata_file"))
            if metadata is not None and not metadata.is_file():
                yield Finding(
                    f"`metadata_file` not found: {metadata}: sd-scripts stops (no metadata)",
                    ("datasets", i, "subsets", j, "metadata_file"),
                    at="value",
                )


def _repeat_root(ctx: RuleContext, key: str, root: Path, effect: str) -> Iterator[Finding]:
    """A folder of `<repeats>_<name>` subfolders. A missing or empty `train_data_dir` stops
    sd-scripts ("No data found"); a missing or empty `reg_data_dir` is skipped without a
    word, so the run silently trains without regularization: a warning."""
    severity = None if key == "train_data_dir" else WARN
    if not root.is_dir():
        message = f"`{key}` not found: {root}" + ("" if severity is None else f": {effect}")
        yield Finding(message, key, _hint(ctx, key), at="value", severity=severity)
        return
    good, skipped = repeat_folders(root)
    loose = list_images(root)
    if not good:
        hint = (
            f"put the images in a subfolder named `<repeats>_<name>`, e.g. {root.name}/10_{root.name}"
            if loose or skipped
            else "add a `<repeats>_<name>` subfolder with images"
        )
        yield Finding(
            f"`{key}` {root} has no `<repeats>_<name>` subfolder: {effect}", key, hint, at="value", severity=severity
        )
        return
    if skipped:
        yield Finding(
            f"subfolders of {root.name} not named `<repeats>_<name>` are skipped: {_names(list(skipped))}",
            key,
            "rename them, e.g. `10_name`",
            at="value",
            severity=WARN,
        )
    if loose:
        yield Finding(
            f"{len(loose)} image(s) directly in {root.name} are skipped (only `<repeats>_<name>` subfolders are read)",
            key,
            at="value",
            severity=WARN,
        )


def _hint(ctx: RuleContext, key: str) -> str | None:
    value = ctx.data.get(key)
    return launch_note(ctx) if isinstance(value, str) and not Path(value).is_absolute() else None


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return
    yield from _missing(ctx)
    for source in sources(ctx):
        folder = source.folder
        name = folder.path.name
        if not folder.images:
            yield Finding(f"{name} holds no images", source.anchor, at="value", severity=WARN)
            continue
        if folder.bad_captions:
            yield Finding(
                f"{len(folder.bad_captions)} caption file(s) in {name} are not UTF-8: {_names(list(folder.bad_captions))}",
                source.anchor,
                "re-save them as UTF-8",
                at="value",
            )
        if folder.missing_captions:
            ext = _caption_ext(ctx, source.anchor)
            yield Finding(
                f"{len(folder.missing_captions)} of {len(folder.images)} image(s) in {name} have no `{ext}` caption"
                f" file (e.g. {folder.missing_captions[0].stem}{ext}): they train on the class name only",
                source.anchor,
                "write the captions, or set `caption_extension` to the extension your captions use",
                at="value",
                severity=WARN,
            )
        if folder.empty_captions:
            yield Finding(
                f"{len(folder.empty_captions)} caption file(s) in {name} are empty: {_names(list(folder.empty_captions))}",
                source.anchor,
                "write a caption for every image",
                at="value",
                severity=WARN,
            )


def _caption_ext(ctx: RuleContext, anchor: tuple[str | int, ...]) -> str:
    from lorachecks.formats.kohya.dataset_schema import effective
    from lorachecks.formats.sd_data import caption_extension

    if len(anchor) >= 4:
        general: dict[str, Any] = ctx.data["general"] if isinstance(ctx.data.get("general"), dict) else {}
        dataset = ctx.data["datasets"][anchor[1]]
        subset = dataset["subsets"][anchor[3]]
        return caption_extension(effective("caption_extension", subset, dataset, general))
    return caption_extension(ctx.data.get("caption_extension"))

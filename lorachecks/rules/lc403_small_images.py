"""Training images smaller than the training resolution.

Counted per image folder (kohya) or for the whole `train_data_dir` (lora-scripts), from the
image headers; no image is decoded.

Why it matters: an image smaller than `resolution` on both sides is upscaled before
training, and the LoRA learns the blur. A few are harmless; many mean the resolution is
too high for the data set (or the wrong, thumbnail-sized, files were collected).

Example, bad: `resolution: 1024` with 512x512 images.

Good: `resolution: 512`, or images of at least 1024 pixels on a side.

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: sd-scripts `library/train_util.py` `BucketManager` and
`trim_and_resize_if_required` scale every image to its bucket (upwards too, unless
`bucket_no_upscale`); lora-scripts has no public implementation.

When the trainer stops: it does not: the images are upscaled and train blurry.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.files.images import image_size
from lorachecks.formats import effective
from lorachecks.formats.kohya.data import sources
from lorachecks.formats.sd_data import local_path, small_images
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.lc401_metadata_csv import metadata

CODE = "LC403"
NAME = "small-images"
SEVERITY = Severity.WARNING
FORMATS = ("lora-scripts", "kohya", "kohya-dataset")


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks:
        return
    if ctx.format is not None and ctx.format.name == "lora-scripts":
        parsed = metadata(ctx)
        csv_path = local_path(ctx, "metadata_path")
        if parsed is None or csv_path is None:
            return
        folder = local_path(ctx, "train_data_dir") or csv_path.parent
        size = effective.lora_scripts(ctx.data)["resolution"]
        if not isinstance(size, int) or isinstance(size, bool):
            return
        sizes = tuple(image_size(folder / name) for _, name, _ in parsed.rows if name and (folder / name).is_file())
        small = small_images(sizes, (size, size))
        if small:
            yield Finding(
                f"{small} of {len(sizes)} image(s) are smaller than {size}x{size}: they are upscaled and train blurry",
                "resolution" if "resolution" in ctx.data else "metadata_path",
                "use larger images or a lower `resolution`",
                at="value",
            )
        return
    for source in sources(ctx):
        small = small_images(source.folder.sizes, source.resolution)
        if small:
            w, h = source.resolution
            yield Finding(
                f"{small} of {len(source.folder.images)} image(s) in {source.folder.path.name} are smaller than"
                f" {w}x{h}: they are upscaled and train blurry",
                source.anchor,
                "use larger images or a lower `resolution`",
                at="value",
            )

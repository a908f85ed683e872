"""Images without a metadata row, and rows with an empty caption (lora-scripts).

Why it matters: an image in `train_data_dir` that no CSV row names is never trained on
(often a renamed file whose row still has the old name), and an empty caption trains the
image against no text at all, which teaches the LoRA to produce it for any prompt.

Example, bad (metadata.csv):

    filename,caption
    dog.png,

Good:

    filename,caption
    dog.png,a photo of a dog on grass

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: lora-scripts has no public implementation (docs/formats/lora-scripts.md);
lorachecks' schema and this rule are the reference for the format.

When the trainer stops: it does not: the unlisted images are left out and the empty
captions train as written.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.sd_data import list_images, local_path
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.lc401_metadata_csv import metadata

CODE = "LC402"
NAME = "image-set"
SEVERITY = Severity.WARNING
FORMATS = ("lora-scripts",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    parsed = metadata(ctx)
    path = local_path(ctx, "metadata_path")
    if parsed is None or path is None:
        return
    empty = [line for line, name, caption in parsed.rows if name and not caption.strip()]
    if empty:
        lines = ", ".join(str(n) for n in empty[:8]) + (" ..." if len(empty) > 8 else "")
        yield Finding(
            f"metadata CSV {path.name}: {len(empty)} empty caption(s) (line {lines})",
            "metadata_path",
            "write a caption for every image",
            at="value",
        )
    folder = local_path(ctx, "train_data_dir") or path.parent
    named = {name for _, name, _ in parsed.rows}
    orphans = [image.name for image in list_images(folder) if image.name not in named]
    if orphans:
        shown = ", ".join(orphans[:5]) + (" ..." if len(orphans) > 5 else "")
        yield Finding(
            f"{len(orphans)} image(s) in {ctx.data.get('train_data_dir') or folder} have no row in {path.name} and are not trained on: {shown}",
            "train_data_dir" if "train_data_dir" in ctx.data else "metadata_path",
            "add a row for each, or move them out of the folder",
            at="value",
        )

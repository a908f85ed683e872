"""The lora-scripts metadata CSV is missing, unreadable, lacks columns or names missing images.

An image task reads `metadata_path` (a CSV with a `filename` column and a `caption` or
`prompt` column) and loads every image it names from `train_data_dir`. The finding is on
`metadata_path` and names the CSV line.

Why it matters: a missing file or column, or a row naming an image that is not there,
stops the job after the base model has loaded.

Example, bad (metadata.csv):

    filename,caption
    cat.png,a photo of a cat          # data/images/cat.png does not exist

Good: every row names an image that exists in `train_data_dir`.

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: lora-scripts has no public implementation (docs/formats/lora-scripts.md);
lorachecks' schema and this rule are the reference for the format.

When the trainer stops: when the data set is built, after the base model has loaded.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.sd_data import MetadataCsv, local_path, read_metadata_csv
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC401"
NAME = "metadata-csv"
SEVERITY = Severity.ERROR
FORMATS = ("lora-scripts",)
SHOWN = 5


def metadata(ctx: RuleContext) -> MetadataCsv | None:
    """The parsed CSV of an image task when it is usable, else None."""
    if not ctx.settings.path_checks or ctx.data.get("task_type") == "text-generation":
        return None
    path = local_path(ctx, "metadata_path")
    if path is None or not path.is_file():
        return None
    parsed = read_metadata_csv(path)
    if isinstance(parsed, str) or "filename" not in parsed.columns or parsed.caption_column is None:
        return None
    return parsed


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks or ctx.data.get("task_type") == "text-generation":
        return
    path = local_path(ctx, "metadata_path")
    if path is None:
        return
    key = "metadata_path"
    if not path.is_file():
        yield Finding(f"`metadata_path` not found: {path}", key, "write the CSV (filename,caption) there", at="value")
        return
    parsed = read_metadata_csv(path)
    if isinstance(parsed, str):
        yield Finding(f"metadata CSV {path.name} cannot be used: {parsed}", key, at="value")
        return
    if "filename" not in parsed.columns or parsed.caption_column is None:
        lacking = [
            c for c, ok in (("filename", "filename" in parsed.columns), ("caption", parsed.caption_column)) if not ok
        ]
        yield Finding(
            f"metadata CSV {path.name} has no {' or '.join(f'`{c}`' for c in lacking)} column"
            f" (columns: {', '.join(parsed.columns) or 'none'})",
            key,
            "the first line must be `filename,caption` (or `filename,prompt`)",
            at="value",
        )
        return
    images = local_path(ctx, "train_data_dir") or path.parent
    missing = [(line, name) for line, name, _ in parsed.rows if not name or not (images / name).is_file()]
    for line, name in missing[:SHOWN]:
        what = f"image `{name}` not found in {ctx.data.get('train_data_dir') or images}" if name else "has no filename"
        yield Finding(f"metadata CSV {path.name} line {line}: {what}", key, "fix the row or add the image", at="value")
    if len(missing) > SHOWN:
        yield Finding(
            f"metadata CSV {path.name}: {len(missing) - SHOWN} more rows name missing images", key, at="value"
        )

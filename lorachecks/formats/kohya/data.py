"""The image folders a kohya training or dataset config trains on, scanned once per run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.records import record
from lorachecks.formats import effective
from lorachecks.formats.kohya.resolution import parse_resolution
from lorachecks.formats.sd_data import Folder, caption_extension, local_path, local_value, repeat_folders, scan_folder
from lorachecks.loader import KeyPath

if TYPE_CHECKING:
    from lorachecks.formats.view import ConfigView


@record(frozen=True, slots=True)
class Source:
    """One folder of training images and how it is used."""

    folder: Folder
    anchor: KeyPath  # the config key that names it
    resolution: tuple[int, int]
    batch: int
    dataset: int  # index of the [[datasets]] table (0 for a training config)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def training_root(ctx: ConfigView) -> Path | None:
    """``train_data_dir`` when sd-scripts reads `<repeats>_<name>` folders from it."""
    if ctx.data.get("dataset_config") or ctx.data.get("in_json"):
        return None
    return local_path(ctx, "train_data_dir")


def sources(ctx: ConfigView) -> list[Source]:
    """Existing image folders of the config (missing ones are LC405's to report)."""
    out: list[Source] = []
    data = ctx.data
    if ctx.format is None:
        return out
    if ctx.format.name == "kohya":
        root = training_root(ctx)
        if root is None or not root.is_dir():
            return out
        good, _ = repeat_folders(root)
        ext = caption_extension(data.get("caption_extension"))
        resolution = parse_resolution(data.get("resolution", 512)) or (512, 512)
        batch = _int(data.get("train_batch_size"), effective.kohya(data).default("train_batch_size"))
        for path, repeats in good:
            out.append(Source(scan_folder(path, ext, repeats), ("train_data_dir",), resolution, batch, 0))
        return out
    general: dict[str, Any] = data["general"] if isinstance(data.get("general"), dict) else {}
    datasets: list[Any] = data["datasets"] if isinstance(data.get("datasets"), list) else []
    for i, dataset in enumerate(datasets):
        if not isinstance(dataset, dict) or not isinstance(dataset.get("subsets"), list):
            continue
        raw = _effective("resolution", dataset, general)
        pair = parse_resolution(raw) if raw is not None and not isinstance(raw, str) else None
        batch = _int(_effective("batch_size", dataset, general), 1)
        for j, subset in enumerate(dataset["subsets"]):
            if not isinstance(subset, dict):
                continue
            folder = local_value(ctx, subset.get("image_dir"))
            if folder is None or not folder.is_dir():
                continue
            ext = caption_extension(_effective("caption_extension", subset, dataset, general))
            repeats = _int(_effective("num_repeats", subset, dataset, general), 1)
            anchor: KeyPath = ("datasets", i, "subsets", j, "image_dir")
            out.append(Source(scan_folder(folder, ext, repeats), anchor, pair or (512, 512), batch, i))
    return out


def _effective(name: str, *levels: dict[str, Any]) -> Any:
    # Imported here: dataset_schema imports Pydantic, which the lint path of a clean
    # LLaMA-Factory config never needs (rule modules are all imported at start-up).
    from lorachecks.formats.kohya.dataset_schema import effective

    return effective(name, *levels)

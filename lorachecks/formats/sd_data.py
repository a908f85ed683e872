"""Reading the training data that lora-scripts and kohya configs point at (for LC401-LC406).

Everything is read-only and bounded: folders are listed one level deep, captions are read
whole (they are short), images only for their header. Results are cached per file version
for the run, so the several rules that look at one dataset read it once.
"""

from __future__ import annotations

import csv
import io
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.paths import is_placeholder, resolve
from lorachecks.core.records import record
from lorachecks.files.images import image_size, is_image

if TYPE_CHECKING:
    from lorachecks.formats.view import ConfigView

MAX_ROWS = 200_000


def local_path(ctx: ConfigView, key: str) -> Path | None:
    """The config value of ``key`` as a local path, or None (unset, empty, placeholder)."""
    return local_value(ctx, ctx.data.get(key))


def local_value(ctx: ConfigView, value: Any) -> Path | None:
    if not isinstance(value, str) or not value.strip() or is_placeholder(value):
        return None
    return resolve(value, ctx.settings.launch_dir)


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


# --- lora-scripts metadata CSV -------------------------------------------------------
@record(frozen=True, slots=True)
class MetadataCsv:
    columns: tuple[str, ...]
    caption_column: str | None
    rows: tuple[tuple[int, str, str], ...]  # (line, filename, caption)


def _utf8_text(path: Path) -> tuple[str | None, str]:
    """The file's text (a UTF-8 BOM dropped), or None and why it cannot be read."""
    try:
        return path.read_bytes().decode("utf-8-sig"), ""
    except OSError as exc:
        return None, f"cannot read it: {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        return None, f"it is not UTF-8 (byte {exc.start})"


def read_metadata_csv(path: Path) -> MetadataCsv | str:
    """The rows of a ``filename,caption`` CSV, or why it cannot be used."""
    return _read_csv(path, _stamp(path))


@lru_cache(maxsize=16)
def _read_csv(path: Path, stamp: int) -> MetadataCsv | str:
    text, problem = _utf8_text(path)
    if text is None:
        return problem
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return "it is empty"
        columns = tuple(c.strip() for c in header)
        caption = next((c for c in ("caption", "prompt", "text") if c in columns), None)
        rows: list[tuple[int, str, str]] = []
        file_index = columns.index("filename") if "filename" in columns else -1
        caption_index = columns.index(caption) if caption else -1
        for record in reader:
            if len(rows) >= MAX_ROWS:
                break
            if not any(cell.strip() for cell in record):
                continue
            filename = record[file_index].strip() if 0 <= file_index < len(record) else ""
            text_value = record[caption_index] if 0 <= caption_index < len(record) else ""
            rows.append((reader.line_num, filename, text_value))
    except csv.Error as exc:
        return f"CSV error on line {reader.line_num}: {exc}"
    return MetadataCsv(columns, caption, tuple(rows))


# --- lora-scripts JSONL --------------------------------------------------------------
TEXT_FIELD_SETS = (
    ("text",),
    ("prompt", "completion"),
    ("instruction", "output"),
    ("messages",),
    ("prompt", "response"),
)


@record(frozen=True, slots=True)
class JsonlReport:
    records: int
    bad_lines: tuple[tuple[int, str], ...]  # (line, why)


def read_jsonl(path: Path) -> JsonlReport | str:
    return _read_jsonl(path, _stamp(path))


@lru_cache(maxsize=16)
def _read_jsonl(path: Path, stamp: int) -> JsonlReport | str:
    text, problem = _utf8_text(path)
    if text is None:
        return problem
    records = 0
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((number, f"not JSON ({exc.msg}: column {exc.colno})"))
            continue
        if not isinstance(record, dict):
            bad.append((number, f"a {type(record).__name__}, not an object"))
            continue
        if not any(all(k in record for k in keys) for keys in TEXT_FIELD_SETS):
            bad.append((number, f"no training text (has {', '.join(sorted(record)[:5]) or 'no keys'})"))
            continue
        records += 1
    return JsonlReport(records, tuple(bad))


# --- image folders --------------------------------------------------------------------
@record(frozen=True, slots=True)
class Folder:
    path: Path
    repeats: int | None  # from `<repeats>_<name>`; None when the name does not say
    images: tuple[Path, ...]
    missing_captions: tuple[Path, ...]
    empty_captions: tuple[Path, ...]
    bad_captions: tuple[Path, ...]  # not UTF-8
    sizes: tuple[tuple[int, int] | None, ...] = ()


def list_images(folder: Path) -> tuple[Path, ...]:
    return _list_images(folder, _stamp(folder))


@lru_cache(maxsize=64)
def _list_images(folder: Path, stamp: int) -> tuple[Path, ...]:
    try:
        return tuple(sorted(p for p in folder.iterdir() if p.is_file() and is_image(p)))
    except OSError:
        return ()


def scan_folder(folder: Path, caption_extension: str, repeats: int | None) -> Folder:
    return _scan_folder(folder, _stamp(folder), caption_extension, repeats)


@lru_cache(maxsize=64)
def _scan_folder(folder: Path, stamp: int, caption_extension: str, repeats: int | None) -> Folder:
    images = list_images(folder)
    missing, empty, bad = [], [], []
    for image in images:
        caption = image.with_suffix(caption_extension)
        try:
            raw = caption.read_bytes()
        except OSError:
            missing.append(image)
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            bad.append(caption)
            continue
        if not text.strip():
            empty.append(caption)
    sizes = tuple(image_size(image) for image in images)
    return Folder(folder, repeats, images, tuple(missing), tuple(empty), tuple(bad), sizes)


def repeat_folders(train_data_dir: Path) -> tuple[list[tuple[Path, int]], list[Path]]:
    """``<repeats>_<name>`` subfolders (with their repeats) and the subfolders sd-scripts skips."""
    good: list[tuple[Path, int]] = []
    skipped: list[Path] = []
    try:
        children = sorted(p for p in train_data_dir.iterdir() if p.is_dir())
    except OSError:
        return good, skipped
    for child in children:
        repeats = folder_repeats(child.name)
        if repeats is not None:
            good.append((child, repeats))
        elif not child.name.startswith("."):
            skipped.append(child)
    return good, skipped


def folder_repeats(name: str) -> int | None:
    """The repeats sd-scripts reads from a folder name: ``int()`` of the text before the
    first ``_`` (so ``10``, ``10_`` and ``+3_x`` count, ``x_10`` does not), skipped below 1."""
    try:
        repeats = int(name.split("_", 1)[0])
    except ValueError:
        return None
    return repeats if repeats >= 1 else None


def caption_extension(value: Any) -> str:
    ext = value if isinstance(value, str) and value else ".caption"
    return ext if ext.startswith(".") else "." + ext


def total_steps(samples: int, batch: int, accumulation: int, epochs: int) -> int:
    """ceil(samples / batch / accumulation) x epochs: optimizer steps of the whole run."""
    return math.ceil(samples / max(batch, 1) / max(accumulation, 1)) * max(epochs, 1)


def small_images(sizes: tuple[tuple[int, int] | None, ...], target: tuple[int, int]) -> int:
    """Images smaller than the training resolution on both sides (they get upscaled)."""
    return sum(1 for size in sizes if size is not None and size[0] < target[0] and size[1] < target[1])

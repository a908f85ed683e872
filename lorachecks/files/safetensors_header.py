"""Read a safetensors header without loading any weights.

A safetensors file starts with an 8-byte little-endian length N followed by N bytes of
JSON: tensor name -> {"dtype", "shape", "data_offsets"}, plus an optional
``__metadata__`` table. Reading only that header tells whether a file is a real
checkpoint (a zero-filled placeholder or a truncated download is not) and what it holds.
"""

from __future__ import annotations

import json
import math
import stat
import struct
from pathlib import Path

from lorachecks.core.records import field, record

# Headers of real checkpoints are a few MB at most; a larger claimed length means the
# file is not a safetensors file, and reading it would only waste memory.
MAX_HEADER_BYTES = 100 * 1024 * 1024

DTYPE_BYTES = {
    "F64": 8, "I64": 8, "U64": 8,
    "F32": 4, "I32": 4, "U32": 4,
    "F16": 2, "BF16": 2, "I16": 2, "U16": 2,
    "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip


class NotSafetensors(ValueError):
    """The file cannot be a safetensors checkpoint; the message says why."""


@record(frozen=True, slots=True)
class TensorInfo:
    dtype: str
    shape: tuple[int, ...]
    start: int
    end: int

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@record(frozen=True, slots=True)
class SafetensorsHeader:
    path: Path
    tensors: dict[str, TensorInfo]
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def parameter_count(self) -> int:
        return sum(t.numel for t in self.tensors.values())


def read_header(path: Path) -> SafetensorsHeader:
    """Parse the header of ``path``; raise :class:`NotSafetensors` or ``OSError``."""
    file_stat = path.stat()
    if not stat.S_ISREG(file_stat.st_mode):  # opening a pipe or device could block forever
        raise NotSafetensors("not a regular file")
    size = file_stat.st_size
    with path.open("rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise NotSafetensors(f"{size} bytes: too short to hold a safetensors header")
        (length,) = struct.unpack("<Q", prefix)
        if length == 0:
            raise NotSafetensors("header length is 0 (a zero-filled placeholder?)")
        if length > MAX_HEADER_BYTES or 8 + length > size:
            raise NotSafetensors(f"header claims {length} bytes but the file has {size} (truncated or not safetensors)")
        raw = handle.read(length)
    try:
        table = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotSafetensors(f"header is not JSON: {error}") from None
    if not isinstance(table, dict):
        raise NotSafetensors("header is not a JSON object")
    metadata_raw = table.pop("__metadata__", None) or {}
    metadata = {str(k): str(v) for k, v in metadata_raw.items()} if isinstance(metadata_raw, dict) else {}
    tensors: dict[str, TensorInfo] = {}
    data_size = size - 8 - length
    for name, entry in table.items():
        try:
            start, end = (int(x) for x in entry["data_offsets"])
            info = TensorInfo(str(entry["dtype"]), tuple(int(x) for x in entry["shape"]), start, end)
        except (KeyError, TypeError, ValueError):
            raise NotSafetensors(f"tensor {name!r} has a malformed entry") from None
        if end > data_size:
            raise NotSafetensors(
                f"tensor {name!r} ends at byte {end} but the data has {data_size} (truncated download?)"
            )
        tensors[name] = info
    return SafetensorsHeader(path, tensors, metadata)

import json
import struct
from pathlib import Path

import pytest

from lorachecks.files.safetensors_header import NotSafetensors, read_header


def write(path: Path, header: dict[str, object], data: bytes) -> Path:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


def test_reads_tensors_and_counts_parameters(tmp_path: Path) -> None:
    header = {
        "__metadata__": {"format": "pt"},
        "a.weight": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]},
        "b.bias": {"dtype": "F32", "shape": [4], "data_offsets": [12, 28]},
    }
    parsed = read_header(write(tmp_path / "m.safetensors", header, bytes(28)))
    assert parsed.parameter_count == 10
    assert parsed.tensors["a.weight"].shape == (2, 3)
    assert parsed.metadata == {"format": "pt"}


def test_zero_filled_placeholder_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "zeros.safetensors"
    path.write_bytes(bytes(4096))
    with pytest.raises(NotSafetensors, match="placeholder"):
        read_header(path)


def test_truncated_download_is_rejected(tmp_path: Path) -> None:
    header = {"a": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}}
    with pytest.raises(NotSafetensors, match="truncated"):
        read_header(write(tmp_path / "t.safetensors", header, bytes(100)))

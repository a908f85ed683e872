"""One reading of `resolution` for lint, estimate and dry-run: sd-scripts' own (issue 14).

The verdicts below were checked against sd-scripts 48d368fa (/work/sd-scripts): the training
config's string goes through prepare_dataset_args (split at commas, int() of each part),
the dataset config's value through its schema (an int or exactly two ints)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lorachecks.core.settings import Settings
from lorachecks.dryrun.config import DryRunError, _resolution
from lorachecks.formats.kohya.resolution import parse_resolution
from lorachecks.loader import load_text
from lorachecks.rules import rule_by_code
from lorachecks.rules.context import RuleContext

# (value, what sd-scripts trains at; None where it stops)
SD_SCRIPTS = [
    ("512", (512, 512)),
    ("512,768", (512, 768)),
    (" 512 , 768 ", (512, 768)),  # int() takes the spaces
    ("5_12", (512, 512)),  # and underscores
    ("512,", None),  # ValueError on the empty part
    ("512,,768", None),
    ("512,768,1024", None),  # three sizes: its assertion fails
    (512, (512, 512)),  # dataset config
    ([512, 768], (512, 768)),
    ([512], None),  # dataset config: exactly two
    (["512", "768"], None),  # ints, not text
    ([512.0, 768.0], None),
    (True, None),
    (None, None),
]


@pytest.mark.parametrize(("value", "expected"), SD_SCRIPTS)
def test_parse_resolution_reads_as_sd_scripts_does(value: Any, expected: tuple[int, int] | None) -> None:
    assert parse_resolution(value) == expected


def test_zero_and_negative_sizes_are_returned_for_the_caller_to_refuse() -> None:
    assert parse_resolution("0") == (0, 0) and parse_resolution(-512) == (-512, -512)


SDXL_KOHYA = """\
pretrained_model_name_or_path = "stabilityai/stable-diffusion-xl-base-1.0"
resolution = "{}"
"""


def _lc508(tmp_path: Path, resolution: str) -> list[str]:
    doc = load_text(tmp_path / "c.toml", textwrap.dedent(SDXL_KOHYA.format(resolution)), "toml", "kohya")
    ctx = RuleContext(doc, SimpleNamespace(name="kohya"), Settings(launch_dir=tmp_path))  # type: ignore[arg-type]
    rule = rule_by_code("LC508")
    assert rule is not None
    return [f.message for f in rule.check(ctx)]


@pytest.mark.parametrize("written", ["512,", "512,,768", "0", "512,768,1024"])
def test_lc508_is_silent_where_sd_scripts_stops_reading_the_resolution(tmp_path: Path, written: str) -> None:
    # The estimate's old parser read "512," as 512x512 and warned about a size that never trains.
    assert _lc508(tmp_path, written) == []


def test_lc508_warns_on_a_readable_small_resolution(tmp_path: Path) -> None:
    assert _lc508(tmp_path, " 512 , 512 ") == ["resolution 512x512 is well below sdxl's native 1024x1024"]


@pytest.mark.parametrize("value", ["512,", [512], "512.0", 0])
def test_dry_run_refuses_what_sd_scripts_refuses(value: Any) -> None:
    with pytest.raises(DryRunError) as refused:
        _resolution(value)
    assert refused.value.code == "DR001" and refused.value.key == "resolution"


def test_dry_run_reads_what_sd_scripts_reads() -> None:
    assert [_resolution(v) for v in ("768", "768,512", 640, [512, 768])] == [
        (768, 768),
        (768, 512),
        (640, 640),
        (512, 768),
    ]

"""The effective values the kohya / lora-scripts rules read (formats/kohya/values.py, the
dataset config's tables, rules/sd_values.py)."""

from __future__ import annotations

from pathlib import Path

from lorachecks.core.settings import Settings
from lorachecks.engine.linter import read_config
from lorachecks.formats.kohya.dataset_schema import DatasetBase
from lorachecks.formats.kohya.fields import DEFAULTS
from lorachecks.formats.kohya.values import KohyaValues
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.sd_values import kohya_findings


def _context(text: str, name: str = "train.toml") -> RuleContext:
    settings = Settings(path_checks=False)
    doc, fmt = read_config(Path(name), "toml", settings, text)
    return RuleContext(doc, fmt, settings)


def _values(text: str) -> KohyaValues:
    config = _context(text).validation.config
    assert isinstance(config, KohyaValues)
    return config


TRAINING = 'network_module = "networks.lora"\noutput_dir = "out"\n'


def test_unset_fields_read_sd_scripts_defaults_from_the_field_table() -> None:
    values = _values(TRAINING)
    assert (values.min_bucket_reso, values.max_bucket_reso, values.bucket_reso_steps) == (256, 1024, 64)
    assert values.network_alpha == DEFAULTS["network_alpha"] == 1.0
    assert values.lr_scheduler == "constant" and values.mixed_precision == "no"
    assert not values.is_set("min_bucket_reso")
    assert values.optimizer == "AdamW"  # optimizer_type has no default: get_optimizer's AdamW


def test_set_fields_read_the_file_whatever_table_holds_them() -> None:
    values = _values(TRAINING + '[buckets]\nmin_bucket_reso = 320\nresolution = "768,512"\n')
    assert values.min_bucket_reso == 320 and values.is_set("min_bucket_reso")
    assert values.resolution_pair == (768, 512)


def test_a_field_that_fails_validation_stands_at_its_default() -> None:
    values = _values(TRAINING + 'min_bucket_reso = "320"\noptimizer_type = ""\n')
    assert values.min_bucket_reso == 256 and not values.is_set("min_bucket_reso")
    assert values.optimizer == "AdamW"


def test_findings_on_a_field_that_failed_validation_are_dropped() -> None:
    ctx = _context(TRAINING + 'min_bucket_reso = "320"\nmax_bucket_reso = 2048\n')

    def blame(values: KohyaValues) -> list[Finding]:
        return [Finding("on the invalid field", "min_bucket_reso"), Finding("on a valid one", "max_bucket_reso")]

    assert [f.message for f in kohya_findings(ctx, blame)] == ["on a valid one"]


def test_dataset_entries_inherit_general_and_point_where_the_value_is_written() -> None:
    text = (
        "[general]\nresolution = 768\nenable_bucket = true\n\n"
        "[[datasets]]\nbatch_size = 1\n[[datasets.subsets]]\nimage_dir = 'a'\n\n"
        "[[datasets]]\nresolution = [512, 640]\n[[datasets.subsets]]\nimage_dir = 'b'\n"
    )
    config = _context(text, "dataset.toml").validation.config
    assert isinstance(config, DatasetBase)
    first, second = config.dataset_entries()
    assert first.resolution == (768, (768, 768), ("general", "resolution"))
    assert second.resolution == ([512, 640], (512, 640), ("datasets", 1, "resolution"))
    assert first.get("enable_bucket") is True and first.size("min_bucket_reso") == DEFAULTS["min_bucket_reso"]
    assert [(t.level, t.path) for t in config.tables()] == [
        ("general", ("general",)),
        ("dataset", ("datasets", 0)),
        ("subset", ("datasets", 0, "subsets", 0)),
        ("dataset", ("datasets", 1)),
        ("subset", ("datasets", 1, "subsets", 0)),
    ]

"""Every option has a description in lorachecks' own words (hover, completion, schemas)."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from lorachecks.formats import by_name
from lorachecks.formats.descriptions import FILES, table
from lorachecks.formats.kohya.dataset_schema import LEVEL_KEYS
from lorachecks.schema_export import json_schema

LONGEST = 200


def options_of(format_name: str) -> set[str]:
    if format_name == "kohya-dataset":
        return set().union(*LEVEL_KEYS.values()) - {"subsets"}
    fmt = by_name(format_name)
    assert fmt is not None
    return {k for k, v in json_schema(fmt)["properties"].items() if not v.get("deprecated")}


@pytest.mark.parametrize("format_name", sorted(FILES))
def test_every_option_is_described_and_no_description_is_stale(format_name: str) -> None:
    words = table(format_name)
    options = options_of(format_name)
    assert sorted(options - set(words)) == []
    assert sorted(set(words) - options) == []
    too_long = {k: len(v) for k, v in words.items() if len(v) > LONGEST}
    assert too_long == {}


def test_lora_scripts_fields_carry_their_descriptions() -> None:
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig

    assert [name for name, field in LoraScriptsConfig.model_fields.items() if not field.description] == []


def test_hover_text_is_the_description_not_a_placeholder() -> None:
    fmt = by_name("llamafactory")
    assert fmt is not None
    described = json_schema(fmt)["properties"]["lora_rank"]["description"]
    assert described.startswith(table("llamafactory")["lora_rank"]) and "Default: 8." in described


def _too_close(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, float]:
    close = {}
    for key, text in ours.items():
        other = theirs.get(key)
        if other:
            ratio = difflib.SequenceMatcher(None, text.lower(), other.lower()).ratio()
            if ratio > 0.8:
                close[key] = round(ratio, 2)
    return close


@pytest.mark.skipif(not os.environ.get("LORACHECKS_LF_VENV"), reason="LORACHECKS_LF_VENV not set (the trainer's help)")
def test_llamafactory_descriptions_are_not_the_trainers_help_text() -> None:
    python = Path(os.environ["LORACHECKS_LF_VENV"]) / "bin" / "python"
    dump = (
        "import dataclasses, json, llamafactory.hparams as h\n"
        "out = {}\n"
        "for name in ('ModelArguments', 'DataArguments', 'FinetuningArguments', 'GeneratingArguments',"
        " 'TrainingArguments'):\n"
        "    for f in dataclasses.fields(getattr(h, name)):\n"
        "        out[f.name] = str(f.metadata.get('help', ''))\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", dump], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(theirs) > 200
    assert _too_close(table("llamafactory"), theirs) == {}


@pytest.mark.skipif(
    not os.environ.get("LORACHECKS_SDSCRIPTS"), reason="LORACHECKS_SDSCRIPTS not set (sd-scripts' help)"
)
def test_kohya_descriptions_are_not_sd_scripts_help_text() -> None:
    root = Path(os.environ["LORACHECKS_SDSCRIPTS"])
    theirs: dict[str, str] = {}
    pattern = re.compile(r'add_argument\(\s*"--([\w-]+)"(.*?)help="((?:[^"\\]|\\.)*)"', re.S)
    for source in [*root.glob("*.py"), *(root / "library").glob("*.py")]:
        for name, _, text in pattern.findall(source.read_text(encoding="utf-8", errors="replace")):
            theirs.setdefault(name.replace("-", "_"), text)
    assert len(theirs) > 100
    assert _too_close(table("kohya"), theirs) == {}

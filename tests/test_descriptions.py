"""Every option has a description in lorachecks' own words (hover, completion, schemas)."""

from __future__ import annotations

import ast
import difflib
import json
import os
import re
import subprocess
import warnings
from pathlib import Path

import pytest

from lorachecks.cli.schema_export import json_schema
from lorachecks.formats import by_name
from lorachecks.formats.descriptions import FILES, table
from lorachecks.formats.kohya.dataset_schema import LEVEL_KEYS

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


# A description may share words with the trainer's help, not its sentences: both a close overall
# match and a long run of the same words count as copied.
CLOSEST_RATIO = 0.8
LONGEST_SHARED_WORDS = 6
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_.+-]+", text.lower())


def _shared_run(ours: str, theirs: str) -> int:
    a, b = _words(ours), _words(theirs)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def _too_close(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, tuple[float, int]]:
    close = {}
    for key, text in ours.items():
        other = theirs.get(key)
        if other:
            ratio = difflib.SequenceMatcher(None, text.lower(), other.lower()).ratio()
            run = _shared_run(text, other)
            if ratio > CLOSEST_RATIO or run >= LONGEST_SHARED_WORDS:
                close[key] = (round(ratio, 2), run)
    return close


def test_the_copy_check_catches_a_pasted_or_lightly_edited_help_text() -> None:
    theirs = {"k": "generate sample images every N steps", "j": "Number of steps to update the GaLore projection."}
    assert set(_too_close({"k": "Generate sample images every n steps."}, theirs)) == {"k"}
    pasted_inside = {"j": "Sets how often: number of steps to update the GaLore projection, in steps."}
    assert set(_too_close(pasted_inside, theirs)) == {"j"}
    own = {
        "k": "Steps between sample renders from sample_prompts.",
        "j": "Steps between refreshes of GaLore's projection.",
    }
    assert _too_close(own, theirs) == {}


@pytest.mark.skipif(not os.environ.get("LORACHECKS_LF_VENV"), reason="LORACHECKS_LF_VENV not set (the trainer's help)")
def test_llamafactory_descriptions_are_not_the_trainers_help_text() -> None:
    python = Path(os.environ["LORACHECKS_LF_VENV"]) / "bin" / "python"
    # Every argument dataclass the package exports, transformers' TrainingArguments included.
    dump = (
        "import dataclasses, json, llamafactory.hparams as h\n"
        "out = {}\n"
        "for name in dir(h):\n"
        "    cls = getattr(h, name)\n"
        "    if isinstance(cls, type) and dataclasses.is_dataclass(cls):\n"
        "        for f in dataclasses.fields(cls):\n"
        "            if f.metadata.get('help'):\n"
        "                out.setdefault(f.name, str(f.metadata['help']))\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", dump], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(theirs) > 300
    assert _too_close(table("llamafactory"), theirs) == {}


def _string_value(node: ast.expr) -> str:
    """The text of a help= argument: a literal, implicit or `+` concatenation, or an f-string's literal parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _string_value(node.left) + _string_value(node.right)
    if isinstance(node, ast.JoinedStr):
        return "".join(_string_value(part) for part in node.values)
    return ""


def sd_scripts_help(root: Path) -> dict[str, str]:
    """English help of every `--option` of sd-scripts (its help is "English / Japanese")."""
    helps: dict[str, str] = {}
    for source in sorted([*root.glob("*.py"), *(root / "library").glob("*.py"), *(root / "networks").glob("*.py")]):
        try:
            with warnings.catch_warnings():  # their sources' invalid escapes are not ours to report
                warnings.simplefilter("ignore")
                tree = ast.parse(source.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_argument"):
                continue
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and str(a.value).startswith("--")]
            text = next((_string_value(k.value) for k in node.keywords if k.arg == "help"), "")
            english = " / ".join(p.strip() for p in re.split(r" / |／", text) if p.strip() and not _CJK.search(p))
            for name in names:
                if english:
                    helps.setdefault(name[2:].replace("-", "_"), english)
    return helps


def test_sd_scripts_help_is_read_in_english_whatever_its_layout(tmp_path: Path) -> None:
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "util.py").write_text(
        "def add(parser):\n"
        '    parser.add_argument("--alpha", help="one thing / ひとつ")\n'
        '    parser.add_argument("--beta-gamma", help="first part " + "second part / 日本語")\n'
        '    parser.add_argument("--delta", help="joined " "literal"\n        " / 説明")\n',
        encoding="utf-8",
    )
    assert sd_scripts_help(tmp_path) == {
        "alpha": "one thing",
        "beta_gamma": "first part second part",
        "delta": "joined literal",
    }


@pytest.mark.skipif(
    not os.environ.get("LORACHECKS_SDSCRIPTS"), reason="LORACHECKS_SDSCRIPTS not set (sd-scripts' help)"
)
def test_kohya_and_lora_scripts_descriptions_are_not_sd_scripts_help_text() -> None:
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig

    theirs = sd_scripts_help(Path(os.environ["LORACHECKS_SDSCRIPTS"]))
    assert len(theirs) > 300
    lora_scripts = {k: f.description or "" for k, f in LoraScriptsConfig.model_fields.items()}
    close = {
        name: _too_close(words, theirs)
        for name, words in (
            ("kohya", table("kohya")),
            ("kohya-dataset", table("kohya-dataset")),
            ("lora-scripts", lora_scripts),
        )
    }
    assert close == {"kohya": {}, "kohya-dataset": {}, "lora-scripts": {}}


def test_a_dataset_key_that_means_the_training_option_takes_its_words() -> None:
    dataset, training = table("kohya-dataset"), table("kohya")
    assert dataset["shuffle_caption"] == training["shuffle_caption"]
    # Keys whose meaning differs in a dataset config keep their own text.
    assert dataset["resolution"] != training["resolution"] and "[width, height]" in dataset["resolution"]


def test_description_is_none_for_an_unknown_key_or_format() -> None:
    from lorachecks.formats.descriptions import description

    assert description("llamafactory", "lora_rank") == table("llamafactory")["lora_rank"]
    assert description("llamafactory", "lora_rnak") is None
    assert description("no-such-format", "lora_rank") is None

"""Shared helpers: lint a config written to a temporary folder."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from lorachecks.core.diagnostics import Diagnostic
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import FileResult, lint_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
LF_CORPUS = CORPUS / "llamafactory"

needs_corpus = pytest.mark.skipif(not LF_CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")

LintText = Callable[..., FileResult]


@pytest.fixture(autouse=True, scope="session")
def _private_cache_secret(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The result cache's secret goes to a temporary folder, not the user's ~/.cache."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@functools.cache
def accepted_corpus_files() -> dict[str, list[Path]]:
    """Corpus configs lorachecks checks and finds no error in, by format (empty without ../shared)."""
    from lorachecks.engine.linter import lint_paths

    by_format: dict[str, list[Path]] = {}
    if not CORPUS.is_dir():
        return by_format
    for result in lint_paths([CORPUS], Settings(path_checks=False, launch_dir=LF_CORPUS)):
        if result.status == "checked" and not any(d.severity.value == "error" for d in result.diagnostics):
            by_format.setdefault(str(result.format), []).append(result.path)
    return by_format


@pytest.fixture
def lint_text(tmp_path: Path) -> LintText:
    """Write ``text`` (dedented) to a file and lint it with path checks off by default."""

    def run(text: str, name: str = "config.yaml", **options: object) -> FileResult:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        options.setdefault("path_checks", False)
        options.setdefault("launch_dir", tmp_path)
        return lint_file(path, Settings(**options))  # type: ignore[arg-type]

    return run


def codes(result: FileResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def errors(result: FileResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity.value == "error"]


BASE = """\
model_name_or_path: Qwen/Qwen3-4B
stage: sft
do_train: true
finetuning_type: lora
dataset: alpaca_en_demo
template: qwen3
output_dir: saves/x
bf16: true
"""


# The dry-run tests' model (tests/test_dryrun*.py); built only when a test asks for it.
@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer Llama with a BPE tokenizer trained here, saved like a hub folder (the tokenizer
    lacks the tokens of LLaMA-Factory's `llama3` template: its configs use `default`)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()  # type: ignore[assignment]
    trainer = trainers.BpeTrainer(vocab_size=96, special_tokens=["<unk>", "<s>", "</s>"])  # type: ignore[call-arg]
    tokenizer.train_from_iterator(["a tiny corpus for a tiny model, trained right here"] * 20, trainer)
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    ).save_pretrained(folder)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder

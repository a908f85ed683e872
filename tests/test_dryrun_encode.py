"""The dry-run's dataset encoder without torch: records read as the trainer's converters read
them, what is not modelled said plainly, truncation and masking on a character tokenizer.
tests/differential/test_encoding.py compares the whole encoding with LLaMA-Factory's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lorachecks.dryrun.config import DryRunError, Plan
from lorachecks.dryrun.encode import (
    IGNORE,
    Conversation,
    NotEncoded,
    encode_conversation,
    pretrain_samples,
    read_conversations,
    split_lengths,
)
from lorachecks.formats.llamafactory.template_formats import TEMPLATE_FORMATS


def _plan(tmp_path: Path, entry: dict[str, Any], records: list[Any], **fields: Any) -> Plan:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "dataset_info.json").write_text(json.dumps({"mine": entry}))
    if "file_name" in entry:
        (data / entry["file_name"]).write_text(json.dumps(records))
    plan = Plan(path=tmp_path / "x.yaml", kind="llamafactory", model="m", model_key="model_name_or_path")
    plan.dataset, plan.dataset_dir = ["mine"], str(data)
    for name, value in fields.items():
        setattr(plan, name, value)
    return plan


def test_alpaca_records_become_turns_and_answerless_ones_are_dropped(tmp_path: Path) -> None:
    records = [
        {"instruction": "Add.", "input": "2 and 2", "output": "4", "history": [["Hi", "Hello"]]},
        {"instruction": "No answer."},
    ]
    entry = {"file_name": "mine.json", "columns": {"prompt": "instruction", "query": "input", "response": "output"}}
    conversations, dropped, _, origin = read_conversations(_plan(tmp_path, entry, records), tmp_path)
    # `columns` without `history`: the trainer leaves that column unset, so history is not read
    assert [c.turns for c in conversations] == [[("user", "Add.\n2 and 2"), ("assistant", "4")]]
    assert dropped == 1 and "mine.json" in origin
    entry["columns"]["history"] = "history"
    conversations, _, _, _ = read_conversations(_plan(tmp_path, entry, records), tmp_path)
    assert conversations[0].turns[:2] == [("user", "Hi"), ("assistant", "Hello")]


def test_sharegpt_system_message_and_out_of_order_turns(tmp_path: Path) -> None:
    good = [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]
    bad = [{"from": "gpt", "value": "A"}, {"from": "human", "value": "Q"}]
    entry = {"file_name": "mine.json", "formatting": "sharegpt"}
    records = [{"conversations": good}, {"conversations": bad}]
    conversations, dropped, _, _ = read_conversations(_plan(tmp_path, entry, records), tmp_path)
    assert conversations == [Conversation([("user", "Q"), ("assistant", "A")], "Be brief.")] and dropped == 1


def test_a_dataset_the_trainer_keeps_nothing_of_stops_it(tmp_path: Path) -> None:
    entry = {"file_name": "mine.json", "formatting": "sharegpt"}
    bad = {"conversations": [{"from": "gpt", "value": "A"}, {"from": "human", "value": "Q"}]}
    with pytest.raises(DryRunError, match="Cannot find valid samples"):
        read_conversations(_plan(tmp_path, entry, [bad] * 3), tmp_path)


@pytest.mark.parametrize(
    ("entry", "record", "why"),
    [
        ({"hf_hub_url": "org/data"}, {}, "hub dataset"),
        ({"file_name": "mine.json", "columns": {"prompt": "q", "images": "images"}}, {"q": "x"}, "`images` column"),
        ({"file_name": "mine.json", "ranking": True}, {}, "ranked pairs"),
        ({"file_name": "mine.json", "formatting": "openai"}, {}, "formatting `openai`"),
        (
            {"file_name": "mine.json", "formatting": "sharegpt"},
            {"conversations": [{"from": "human", "value": "Q"}, {"from": "function_call", "value": "{}"}]},
            "tool turns",
        ),
    ],
)
def test_what_is_not_modelled_is_said(tmp_path: Path, entry: dict[str, Any], record: Any, why: str) -> None:
    with pytest.raises(NotEncoded, match=why):
        read_conversations(_plan(tmp_path, entry, [record]), tmp_path)


def test_split_keeps_a_short_answer_else_a_short_prompt_else_shares() -> None:
    assert split_lengths(30, 4, 20) == (16, 4)  # the answer fits in half: kept whole
    assert split_lengths(6, 30, 20) == (6, 14)  # the prompt fits in half: kept whole
    assert split_lengths(30, 10, 20) == (15, 5)  # both long: shared in proportion
    assert all(sum(split_lengths(s, t, 20)) <= 20 for s in range(40) for t in range(40))


class CharTokenizer:
    """One id per character (ids from 10), specials 1 (BOS) and 2 (EOS); EOS pads."""

    bos_token_id, eos_token_id, pad_token_id = 1, 2, 2
    eos_token, add_bos_token = "\x00", False

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [2 if c == "\x00" else 10 + ord(c) % 200 for c in text]

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict[str, list[int]]:
        return {"input_ids": self.encode(text)}

    def convert_tokens_to_ids(self, token: str) -> int:
        return 3


def test_prompts_masked_history_masked_and_cut_to_cutoff_len(tmp_path: Path) -> None:
    template = TEMPLATE_FORMATS["empty"]
    conversation = Conversation([("user", "ab"), ("assistant", "cd"), ("user", "ef"), ("assistant", "gh")], "")
    plan = Plan(path=tmp_path, kind="llamafactory", model="m", model_key="k", seq_len=100)
    ids, labels = encode_conversation(template, CharTokenizer(), conversation, plan)
    assert len(ids) == len(labels) == 8
    assert labels == [IGNORE, IGNORE, *ids[2:4], IGNORE, IGNORE, *ids[6:8]]  # every answer trained on
    plan.mask_history = True
    _, labels = encode_conversation(template, CharTokenizer(), conversation, plan)
    assert labels == [IGNORE] * 6 + ids[6:8]  # only the last answer
    plan.mask_history, plan.train_on_prompt = False, True
    _, labels = encode_conversation(template, CharTokenizer(), conversation, plan)
    assert labels == ids
    plan.train_on_prompt, plan.seq_len = False, 5
    short, labels = encode_conversation(template, CharTokenizer(), conversation, plan)
    # the second turn gets the one token left, which goes to its prompt (an answer of 0 tokens)
    assert short == ids[:5] and labels == [IGNORE, IGNORE, *ids[2:4], IGNORE]


def test_pretraining_packs_blocks_and_refuses_too_little_text(tmp_path: Path) -> None:
    plan = Plan(path=tmp_path, kind="llamafactory", model="m", model_key="k", stage="pt", seq_len=4, packing=True)
    blocks = pretrain_samples(plan, CharTokenizer(), ["abc", "defgh"], complete=True)
    # "abc<eos>defgh<eos>": 10 ids, two whole blocks of 4, the rest dropped; EOS (the pad) is not trained on
    assert [ids for ids, _ in blocks] == [[107, 108, 109, 2], [110, 111, 112, 113]]
    assert blocks[0][1] == [107, 108, 109, IGNORE]
    plan.packing = False  # each text on its own, cut to cutoff_len
    assert [len(ids) for ids, _ in pretrain_samples(plan, CharTokenizer(), ["abc", "defgh"], complete=True)] == [4, 4]
    plan.packing, plan.seq_len = True, 64
    with pytest.raises(DryRunError, match="Cannot find sufficient samples"):
        pretrain_samples(plan, CharTokenizer(), ["abc"], complete=True)
    with pytest.raises(NotEncoded):  # more records than were read: no verdict from a part
        pretrain_samples(plan, CharTokenizer(), ["abc"], complete=False)

"""The config's dataset encoded as LLaMA-Factory encodes it for supervised fine-tuning
(stage sft) and pre-training (stage pt).

The first records of the config's first dataset (a local JSON / JSONL file named in
`dataset_dir/dataset_info.json`, alpaca or sharegpt formatting, with the entry's `columns` and
`tags`) become conversations as the trainer's converters read them; each is written out with
the config's chat template (formats/llamafactory/template_formats.py holds the templates'
text), after the template's tokens are added to the tokenizer as the trainer adds them,
tokenized, cut to `cutoff_len` turn by turn with the trainer's split between prompt and
answer, and labelled with the prompts masked (`train_on_prompt`, `mask_history`). Pre-training
takes each record's first message and packs the texts into cutoff_len blocks.

What is not modelled (images, tools, hub or streamed datasets, templates of other kinds,
packing for sft, other stages) raises NotEncoded with the reason; the dry-run then falls
back to packed raw text.
The tokenizer is any object with the transformers tokenizer interface: no ML import here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lorachecks.core.records import record
from lorachecks.dryrun.config import DryRunError, Plan
from lorachecks.dryrun.data import MAX_BYTES, dataset_entry
from lorachecks.formats.llamafactory.template_formats import TEMPLATE_FORMATS, TemplateFormat

# The label the loss ignores (the trainer's and PyTorch's cross-entropy default).
IGNORE = -100
# Examples encoded: enough for any first batch the dry-run builds; records read at most.
MAX_SAMPLES = 64
MAX_RECORDS = MAX_SAMPLES * 4
_USER, _ASSISTANT = "user", "assistant"


# How a template assembles turns (template_formats.py): the kinds encoded here.
MODELLED_KINDS = ("plain", "llama2", "reasoning", "reasoning_closing")


class NotEncoded(Exception):
    """The dataset or template uses something the encoder does not model (the reason)."""


@record(slots=True)
class Conversation:
    """One training example as the trainer's converter leaves it: alternating user and
    assistant turns, the last one the answer, and the system message."""

    turns: list[tuple[str, str]]
    system: str


@record(slots=True)
class Encoded:
    samples: list[tuple[list[int], list[int]]]  # (input_ids, labels) per example
    origin: str  # where the samples came from, for the report
    vocab_before: int  # the tokenizer's length before the template added its tokens
    dropped: int = 0  # records the trainer drops (no answer, turns out of order)


def encode_dataset(plan: Plan, tokenizer: Any, launch_dir: Path) -> Encoded:
    """The first records of the config's dataset as the trainer's input_ids and labels.
    Raises NotEncoded (what is not modelled) or DryRunError (what the trainer refuses)."""
    if plan.unencoded is not None:
        raise NotEncoded(plan.unencoded)
    name, template = template_format(plan, tokenizer)
    conversations, dropped, complete, origin = read_conversations(plan, launch_dir)
    vocab_before = len(tokenizer)
    fix_tokenizer(template, tokenizer)
    if plan.stage == "pt":
        samples = pretrain_samples(plan, tokenizer, [c.turns[0][1] for c in conversations], complete)
    else:
        samples = [encode_conversation(template, tokenizer, c, plan) for c in conversations]
    label = f"template `{name}`" if plan.template or name == "empty" else name
    return Encoded(samples, f"{origin}, {label}", vocab_before, dropped)


def template_format(plan: Plan, tokenizer: Any) -> tuple[str, TemplateFormat]:
    """The config's template and what to call it; without one, the trainer's choice: a
    template read off the tokenizer's own chat template, else `empty`."""
    template: TemplateFormat | None
    if plan.template is None and isinstance(getattr(tokenizer, "chat_template", None), str):
        name, template = "the tokenizer's chat template", _derived(tokenizer, plan)
    else:
        name = plan.template or "empty"
        template = TEMPLATE_FORMATS.get(name)
    if template is None:
        raise NotEncoded(f"template `{name}` is not one LLaMA-Factory registers")
    if template.multimodal:
        raise NotEncoded(f"template `{name}` is multimodal: its plugin's processing of the messages is not modelled")
    if template.kind not in MODELLED_KINDS:
        raise NotEncoded(f"template `{name}` assembles turns in its own way ({template.kind}), which is not modelled")
    if plan.train_on_prompt and template.efficient_eos:
        raise DryRunError(
            "DR311",
            f"`template: {name}` ends answers without an EOS of their own, so it cannot train on prompts: the trainer "
            "stops ('Current template does not support `train_on_prompt`')",
            "train_on_prompt",
            "remove `train_on_prompt`, or choose another template",
        )
    if plan.default_system is not None:
        template = template._replace(default_system=plan.default_system)
    return name, template


_PLACEHOLDER = "{{content}}"


def _derived(tokenizer: Any, plan: Plan) -> TemplateFormat:
    """Without `template`, the trainer reads one off the tokenizer's own chat template: it
    renders placeholder conversations and keeps the text around the placeholder as the slots
    (the text an empty string encodes to as the prefix, the system text that a user turn
    shows without any system message as the default system message)."""

    def render(messages: list[dict[str, str]], prompt: bool) -> str:
        try:
            text = tokenizer.apply_chat_template(messages, add_generation_prompt=prompt, tokenize=False)
        except Exception as exc:  # the template's own refusal (a role it rejects, a bad template)
            raise DryRunError(
                "DR311",
                "without `template` the trainer derives one from the tokenizer's chat template, which fails "
                f"({type(exc).__name__}: {str(exc).strip()[:200]}): the trainer stops",
                plan.model_key,
                "set `template` to the model's LLaMA-Factory template",
            ) from None
        return str(text)

    prefix = tokenizer.decode(tokenizer.encode(""))
    system = render([{"role": "system", "content": _PLACEHOLDER}], False)[len(prefix) :]
    user_no_system = render([{"role": "system", "content": ""}, {"role": "user", "content": _PLACEHOLDER}], True)
    user_no_system = user_no_system[len(prefix) :]
    user = render([{"role": "user", "content": _PLACEHOLDER}], True)[len(prefix) :]
    pair = [{"role": "user", "content": _PLACEHOLDER}, {"role": "assistant", "content": _PLACEHOLDER}]
    assistant = render(pair, False)[len(prefix) + len(user) :]
    kind = "reasoning" if "<think>" in assistant else "plain"
    assistant = assistant.replace("<think>", "").replace("</think>", "").lstrip("\n")
    default_system = ""
    if len(user) > len(user_no_system):  # the template writes a system message of its own
        default_system = _inserted(user_no_system, user)
        user = user[len(system.replace(_PLACEHOLDER, default_system, 1)) :]
    for slot in (user, assistant, system):
        if not re.search(r"\{\{[a-zA-Z_][a-zA-Z0-9_]*\}\}", slot):
            raise DryRunError(
                "DR311",
                "without `template` the trainer derives one from the tokenizer's chat template, but a turn it renders "
                "has no place for the message: the trainer stops ('A placeholder is required')",
                plan.model_key,
                "set `template` to the model's LLaMA-Factory template",
            )
    return TemplateFormat(
        kind,
        (prefix,) if prefix else (),
        (system,),
        (user,),
        (assistant,),
        default_system,
        (),
        False,
        False,
        ("<think>\n", "\n</think>\n\n"),
        False,
    )


def _inserted(short: str, long: str) -> str:
    """The characters of ``long`` skipped while ``short`` is matched through it in order
    (greedily, up to the end of ``short``): what a rendering added to the shorter one."""
    extra: list[str] = []
    i = 0
    for char in long:
        if i == len(short):
            break
        if short[i] == char:
            i += 1
        else:
            extra.append(char)
    return "".join(extra)


def fix_tokenizer(template: TemplateFormat, tokenizer: Any) -> None:
    """The tokenizer changes the trainer makes before encoding: the template's end-of-turn
    word as EOS (`replace_eos`), an EOS and a padding token where missing, the other stop
    words as special tokens (so the template's text splits on them)."""
    stop_words = list(template.stop_words)
    if template.replace_eos:
        if not stop_words:
            raise NotEncoded("the template replaces EOS but names no stop word")
        _set_eos(tokenizer, stop_words.pop(0))
    if tokenizer.eos_token_id is None:
        _set_eos(tokenizer, "<|endoftext|>")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    if stop_words:
        try:
            tokenizer.add_special_tokens(
                {"additional_special_tokens": stop_words}, replace_additional_special_tokens=False
            )
        except TypeError:  # tokenizers without that argument keep the earlier ones anyway
            tokenizer.add_special_tokens({"additional_special_tokens": stop_words})


def _set_eos(tokenizer: Any, token: str) -> None:
    if tokenizer.eos_token != token:
        tokenizer.add_special_tokens({"eos_token": token})


def read_conversations(plan: Plan, launch_dir: Path) -> tuple[list[Conversation], int, bool, str]:
    """The first usable records of the config's first dataset (MAX_SAMPLES for sft, every
    record read for pre-training), how many of them the trainer drops, whether the file was
    read to its end, and where they came from."""
    found = dataset_entry(plan, launch_dir)
    if isinstance(found, str):
        raise NotEncoded(found)
    name, entry, file = found
    for key, what in (
        ("hf_hub_url", "a hub dataset"),
        ("ms_hub_url", "a hub dataset"),
        ("om_hub_url", "a hub dataset"),
        ("script_url", "a dataset script"),
        ("cloud_file_name", "a cloud file"),
    ):
        if key in entry:
            raise NotEncoded(f"dataset `{name}` is {what}; only local files are read")
    if file is None or not file.is_file() or file.suffix not in (".json", ".jsonl"):
        raise NotEncoded(f"dataset `{name}` is not a local JSON or JSONL file")
    if file.stat().st_size > MAX_BYTES:
        raise NotEncoded(f"dataset `{name}` is larger than {MAX_BYTES // 2**20} MiB")
    formatting = entry.get("formatting", "alpaca")
    if formatting not in ("alpaca", "sharegpt"):
        raise NotEncoded(f"dataset `{name}` has formatting `{formatting}` (alpaca and sharegpt are encoded)")
    if entry.get("ranking"):
        raise NotEncoded(f"dataset `{name}` holds ranked pairs (chosen / rejected)")
    columns = _names(entry, "columns", _COLUMNS[formatting])
    for column in ("images", "videos", "audios", "tools", "kto_tag", "chosen", "rejected"):
        if columns.get(column):
            raise NotEncoded(f"dataset `{name}` has a `{column}` column")
    if plan.stage == "pt" and formatting != "alpaca":
        raise NotEncoded(f"dataset `{name}` has formatting `{formatting}` (pre-training texts are read from alpaca)")
    records, complete = _records(file)
    conversations: list[Conversation] = []
    dropped = 0
    for item in records:
        if not isinstance(item, dict):
            raise NotEncoded(f"dataset `{name}` holds records that are not objects")
        if formatting == "alpaca":
            conversation: Conversation | None = _alpaca(item, columns)
        else:
            conversation = _sharegpt(item, columns, _names(entry, "tags", _TAGS))
        if conversation is None or (plan.stage == "sft" and len(conversation.turns) % 2):
            dropped += 1
        else:
            conversations.append(conversation)
        if len(conversations) == MAX_SAMPLES and plan.stage == "sft":
            break
    if not conversations and complete:
        raise DryRunError(
            "DR311",
            f"dataset `{name}` holds no example the trainer keeps (each lacks an answer or has its turns out of "
            "order): it stops ('Cannot find valid samples')",
            "dataset",
            "check the dataset's formatting and its `columns` / `tags` in dataset_info.json",
        )
    if not conversations:
        raise NotEncoded(f"dataset `{name}` has no example with an answer among its first records")
    return conversations, dropped, complete, f"dataset `{name}` ({file.name})"


# A dataset entry's defaults; with `columns` (or `tags`) given, the names it leaves out are unset.
_COLUMNS = {
    "alpaca": {"prompt": "instruction", "query": "input", "response": "output"},
    "sharegpt": {"messages": "conversations"},
}
_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}


def _names(entry: dict[str, Any], key: str, defaults: dict[str, str]) -> dict[str, str | None]:
    given = entry.get(key)
    if isinstance(given, dict):
        return {k: v if isinstance(v, str) else None for k, v in given.items()}
    return dict(defaults)


def _records(file: Path) -> tuple[list[Any], bool]:
    """The file's first records, and whether they are all of them."""
    try:
        text = file.read_text(encoding="utf-8-sig")
        if file.suffix == ".jsonl":
            data: Any = [line for line in text.splitlines() if line.strip()]
            return [json.loads(line) for line in data[:MAX_RECORDS]], len(data) <= MAX_RECORDS
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotEncoded(f"{file.name} cannot be read as JSON ({type(exc).__name__})") from None
    if not isinstance(data, list):
        raise NotEncoded(f"{file.name} does not hold a list of records")
    return data[:MAX_RECORDS], len(data) <= MAX_RECORDS


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise NotEncoded(f"a {what} is {type(value).__name__}, not text")
    return value


def _column(item: dict[str, Any], columns: dict[str, str | None], name: str) -> Any:
    """The record's value in the column the entry names for ``name`` (None when unnamed or absent)."""
    key = columns.get(name)
    return item.get(key) if key else None


def _alpaca(item: dict[str, Any], columns: dict[str, str | None]) -> Conversation:
    """instruction + "\\n" + input as the user turn, output as the answer, history before."""
    turns: list[tuple[str, str]] = []
    history = _column(item, columns, "history")
    if isinstance(history, list):
        for pair in history:
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                raise NotEncoded("a `history` entry is not a [prompt, answer] pair")
            turns += [(_USER, _text(pair[0], "history prompt")), (_ASSISTANT, _text(pair[1], "history answer"))]
    query = [_column(item, columns, c) for c in ("prompt", "query")]
    turns.append((_USER, "\n".join(_text(q, "prompt") for q in query if q)))
    response = _column(item, columns, "response")
    if isinstance(response, str):  # without one, supervised training drops the example
        turns.append((_ASSISTANT, response))
    system = _column(item, columns, "system")
    return Conversation(turns, _text(system, "system message") if system else "")


def _sharegpt(item: dict[str, Any], columns: dict[str, str | None], tags: dict[str, str | None]) -> Conversation | None:
    """Role-tagged messages: user and assistant alternate, the last message is the answer;
    a leading system message (or the system column) is the system message."""
    messages = _column(item, columns, "messages")
    if not isinstance(messages, list):
        return None
    role, content = tags.get("role_tag") or "", tags.get("content_tag") or ""
    if not all(isinstance(m, dict) for m in messages):
        raise NotEncoded("a message is not an object")
    system = ""
    if tags.get("system_tag") and messages and messages[0].get(role) == tags["system_tag"]:
        system = _text(messages[0].get(content), "system message")
        messages = messages[1:]
    elif columns.get("system"):
        system = _text(_column(item, columns, "system") or "", "system message")
    tool_tags = {tags.get("observation_tag"), tags.get("function_tag")} - {None}
    if any(m.get(role) in tool_tags for m in messages):
        raise NotEncoded("tool turns (observation / function call messages) are not encoded")
    turns: list[tuple[str, str]] = []
    for index, message in enumerate(messages):
        expected = tags.get("user_tag") if index % 2 == 0 else tags.get("assistant_tag")
        if message.get(role) != expected:
            return None  # roles out of order: the trainer skips the example
        turns.append((_USER if index % 2 == 0 else _ASSISTANT, _text(message.get(content), "message")))
    if not turns or len(turns) % 2:
        return None
    return Conversation(turns, system)


def _apply(slot: tuple[Any, ...], **values: str) -> list[Any]:
    """The slot's elements with each placeholder replaced (once, in the order given)."""
    elements: list[Any] = []
    for element in slot:
        if isinstance(element, str):
            for name, value in values.items():
                element = element.replace("{{" + name + "}}", value, 1)
        elements.append(element)
    return elements


def _ids(tokenizer: Any, elements: list[Any]) -> list[int]:
    ids: list[int] = []
    for element in elements:
        if isinstance(element, str):
            if element:
                ids += tokenizer.encode(element, add_special_tokens=False)
        elif element[0] == "token":
            ids.append(tokenizer.convert_tokens_to_ids(element[1]))
        elif element[0] == "bos" and tokenizer.bos_token_id is not None:
            ids.append(tokenizer.bos_token_id)
        elif element[0] == "eos" and tokenizer.eos_token_id is not None:
            ids.append(tokenizer.eos_token_id)
    return ids


def _messages(template: TemplateFormat, tokenizer: Any, conversation: Conversation) -> list[list[int]]:
    """Each turn's token ids; the first carries the template's prefix and the system message."""
    system = conversation.system or template.default_system
    encoded = []
    for index, (role, content) in enumerate(conversation.turns):
        elements: list[Any] = []
        if index == 0:
            elements += list(template.prefix)
            if system and template.kind != "llama2":
                elements += _apply(template.system, content=system)
            if system and template.kind == "llama2":  # the system text opens the first user turn
                content = str(_apply(template.system, content=system)[0]) + content
        if role == _USER:
            values = {"content": content} if template.kind == "llama2" else {"content": content, "idx": str(index // 2)}
            elements += _apply(template.user, **values)
        else:
            elements += _apply(template.assistant, content=content)
        encoded.append(_ids(tokenizer, elements))
    return encoded


def _thoughts(template: TemplateFormat, tokenizer: Any, conversation: Conversation, plan: Plan) -> list[list[int]]:
    """Reasoning templates: an answer without a thought gets an empty one, trained on when
    thinking is enabled, part of the prompt otherwise; thoughts are removed where the
    trainer removes them (all of them without thinking, earlier turns' under mask_history)."""
    opening, closing = template.thought_words
    turns = list(conversation.turns)
    answers = range(1, len(turns), 2)
    for i in answers:
        if not plan.enable_thinking or (plan.mask_history and i < len(turns) - 1):
            turns[i] = (turns[i][0], _without_thought(turns[i][1], opening, closing))
    encoded = _messages(template, tokenizer, Conversation(turns, conversation.system))
    empty = tokenizer.encode(
        closing if template.kind == "reasoning_closing" else opening + closing, add_special_tokens=False
    )
    for i in [len(turns) - 1] if plan.mask_history else answers:
        content = turns[i][1]
        if opening.strip() not in content and closing.strip() not in content:
            if plan.enable_thinking:
                encoded[i] = empty + encoded[i]
            else:
                encoded[i - 1] = encoded[i - 1] + empty
    return encoded


def _without_thought(content: str, opening: str, closing: str) -> str:
    pattern = re.compile(f"{re.escape(opening)}(.*?){re.escape(closing)}", re.DOTALL)
    return re.sub(pattern, "", content).lstrip("\n")


def pretrain_samples(plan: Plan, tokenizer: Any, texts: list[str], complete: bool) -> list[tuple[list[int], list[int]]]:
    """Pre-training: each text (the first message of its record) ends with EOS (llama3's
    end-of-text word under `template: llama3`); packed, the texts are joined and cut into
    blocks of cutoff_len (the rest dropped), else each is cut to cutoff_len. A BOS the
    tokenizer adds by itself opens each block or text. Labels are the ids, where the padding
    id is ignored (the trainer's language-modelling collator)."""
    eos = "<|end_of_text|>" if plan.template == "llama3" else tokenizer.eos_token
    texts = [text + eos for text in texts]
    adds_bos = bool(getattr(tokenizer, "add_bos_token", False))
    if plan.packing:
        stream = [i for text in texts for i in tokenizer(text, add_special_tokens=False)["input_ids"]]
        size = plan.seq_len
        blocks = [stream[start : start + size] for start in range(0, len(stream) // size * size, size)]
        if adds_bos:
            blocks = [[tokenizer.bos_token_id, *block[1:]] for block in blocks]
    else:
        texts = [tokenizer.bos_token + text for text in texts] if adds_bos else texts
        blocks = [tokenizer(text, add_special_tokens=False)["input_ids"][: plan.seq_len] for text in texts]
    blocks = blocks[:MAX_SAMPLES]
    if not blocks and complete:
        raise DryRunError(
            "DR311",
            f"the dataset's texts hold fewer tokens than one block of cutoff_len {plan.seq_len}: pre-training packs "
            "none and the trainer stops ('Cannot find sufficient samples')",
            "cutoff_len",
            "lower cutoff_len or add data",
        )
    if not blocks:
        raise NotEncoded("the first records hold less than one block of cutoff_len")
    pad = tokenizer.pad_token_id
    return [(block, [IGNORE if i == pad else i for i in block]) for block in blocks]


def split_lengths(source: int, target: int, budget: int) -> tuple[int, int]:
    """How the trainer shares ``budget`` tokens between a prompt and its answer: a short
    answer is kept whole, else a short prompt, else both in proportion to their lengths."""
    if target * 2 < budget:
        keep_target = budget
    elif source * 2 < budget:
        keep_target = budget - source
    else:
        keep_target = int(budget * (target / (source + target)))
    new_target = min(keep_target, target)
    new_source = min(max(budget - new_target, 0), source)
    return new_source, new_target


def encode_conversation(
    template: TemplateFormat, tokenizer: Any, conversation: Conversation, plan: Plan
) -> tuple[list[int], list[int]]:
    """input_ids and labels of one example, cut to cutoff_len turn by turn."""
    if template.kind.startswith("reasoning"):
        messages = _thoughts(template, tokenizer, conversation, plan)
    else:
        messages = _messages(template, tokenizer, conversation)
    pairs = [(messages[i], messages[i + 1]) for i in range(0, len(messages), 2)]
    if plan.mask_history:
        pairs.reverse()  # the last turn first: it is the one trained on
    input_ids: list[int] = []
    labels: list[int] = []
    total = 1 if template.efficient_eos else 0
    eos = tokenizer.eos_token_id
    for turn, (source, target) in enumerate(pairs):
        if total >= plan.seq_len:
            break
        source_len, target_len = split_lengths(len(source), len(target), plan.seq_len - total)
        source, target = source[:source_len], target[:target_len]
        total += source_len + target_len
        if plan.train_on_prompt:
            source_labels = source
        elif template.efficient_eos and turn != 0:
            source_labels = [eos] + [IGNORE] * (source_len - 1)
        else:
            source_labels = [IGNORE] * source_len
        target_labels = [IGNORE] * target_len if plan.mask_history and turn != 0 else target
        if plan.mask_history:
            input_ids = source + target + input_ids
            labels = source_labels + target_labels + labels
        else:
            input_ids += source + target
            labels += source_labels + target_labels
    if template.efficient_eos:
        input_ids.append(eos)
        labels.append(eos)
    return input_ids, labels

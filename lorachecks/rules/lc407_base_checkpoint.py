"""The base model file is missing, a placeholder, truncated, a LoRA, or a GGUF file.

The safetensors header (8-byte length + JSON) is read without loading any weights, which
also tells the model family and parameter count (reported as a note); `.ckpt` files are
checked to be a PyTorch zip archive or a pickle.

Why it matters: the trainer loads the base model first, and everything after it waits on
that: a zero-filled placeholder or a truncated download fails with an unhelpful
deserialisation error, and a `.gguf` file (a quantised inference format) cannot be
trained at all.

Example, bad:

    base_model: models/sd15.gguf

Good:

    base_model: models/v1-5-pruned-emaonly.safetensors

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: sd-scripts `library/model_util.py` `load_checkpoint_with_text_encoder_conversion`
(safetensors `load_file`, or `torch.load` for other files), reached from
`train_network.py` `NetworkTrainer.load_target_model`.

When the trainer stops: at start-up, when the base model loads (the first large step).
"""

from collections.abc import Iterator
from pathlib import Path

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import can_be_path, is_placeholder, looks_local, resolve
from lorachecks.files.checkpoints import CHECKPOINT_SUFFIXES, LORA, billions, inspect
from lorachecks.rules.context import Finding, RuleContext, launch_note

CODE = "LC407"
NAME = "base-checkpoint"
SEVERITY = Severity.ERROR
FORMATS = ("lora-scripts", "kohya")
BASE_KEYS = {"lora-scripts": "base_model", "kohya": "pretrained_model_name_or_path"}


def base_key(ctx: RuleContext) -> str:
    assert ctx.format is not None
    return BASE_KEYS[ctx.format.name]


def _pickle_problem(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return exc.strerror or str(exc)
    if not head:
        return "the file is empty"
    if head.strip(b"\x00") == b"":
        return "the file starts with zero bytes (a placeholder or an unfinished download?)"
    if not (head.startswith(b"PK") or head[:1] == b"\x80"):
        return "the file is neither a PyTorch zip archive nor a pickle"
    return None


def check(ctx: RuleContext) -> Iterator[Finding]:
    key = base_key(ctx)
    value = ctx.data.get(key)
    if not isinstance(value, str) or not value.strip():
        return
    if value.lower().endswith(".gguf"):
        yield Finding(
            f"`{key}` is a GGUF file: GGUF is a quantised inference format and cannot be trained",
            key,
            "point at the original .safetensors checkpoint or model folder",
            at="value",
        )
        return
    if not ctx.settings.path_checks or is_placeholder(value) or not can_be_path(value):
        return
    path = resolve(value, ctx.settings.launch_dir)
    if not path.exists():
        if looks_local(value) or path.suffix.lower() in CHECKPOINT_SUFFIXES:
            hint = None if Path(value).is_absolute() else launch_note(ctx)
            yield Finding(f"`{key}` not found: {path}", key, hint, at="value")
        return  # a hub id, downloaded by the trainer
    if path.is_dir():
        if not any((path / marker).is_file() for marker in ("model_index.json", "config.json")):
            yield Finding(
                f"`{key}` folder {path} has no model_index.json or config.json: not a diffusers or transformers model",
                key,
                at="value",
            )
        return
    if path.suffix.lower() in (".safetensors", ".sft"):
        result = inspect(path)
        if isinstance(result, str):
            yield Finding(f"`{key}` is not a usable safetensors checkpoint: {result}", key, at="value")
        elif result.family == LORA:
            yield Finding(
                f"`{key}` is a LoRA adapter, not a base model",
                key,
                "point at the base checkpoint; load an adapter with `network_weights`",
                at="value",
            )
        else:
            dtypes = "/".join(result.dtypes[:2])
            yield Finding(
                f"base model: {result.title} checkpoint, {billions(result.parameters)} parameters ({dtypes})",
                key,
                at="value",
                severity=Severity.INFO,
            )
        return
    problem = _pickle_problem(path)
    if problem:
        yield Finding(f"`{key}` is not a usable checkpoint: {problem}", key, at="value")

"""Language models (LLaMA-Factory, lora-scripts text-generation): load, adapt, batch.

Imports torch, transformers and peft; only `lorachecks dry-run` reaches this module.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import torch
import transformers
from torch import nn

from lorachecks.architectures import HEADS
from lorachecks.dryrun.config import DryRunError, Plan
from lorachecks.dryrun.step import LossFn


def load_config(source: str, plan: Plan, trust_flag: bool) -> Any:
    trust = plan.trust_remote_code and trust_flag
    try:
        return transformers.AutoConfig.from_pretrained(source, trust_remote_code=trust)
    except ValueError as exc:
        text = str(exc)
        if "trust_remote_code" in text or "custom code" in text:
            hint = (
                "also pass --trust-remote-code (the config alone is not enough)"
                if plan.trust_remote_code
                else "set `trust_remote_code: true` in the config and pass --trust-remote-code, after reading the code"
            )
            raise DryRunError(
                "DR104",
                "the model needs its own code to load",
                "trust_remote_code" if plan.trust_remote_code else plan.model_key,
                hint,
            ) from None
        raise DryRunError("DR103", f"transformers cannot read the model config: {_line(exc)}", plan.model_key) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise DryRunError("DR103", f"cannot read the model config: {_line(exc)}", plan.model_key) from None


def build(
    source: str, config: Any, plan: Plan, device: str, dtype: torch.dtype, trust_flag: bool, init: str = "weights"
) -> nn.Module:
    """The causal LM: on meta from the config alone, else with its weights (or random ones, ``init="random"``)."""
    trust = plan.trust_remote_code and trust_flag
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    try:
        if device == "meta" or init == "random":
            torch.manual_seed(0)  # random weights, the same on every run
            with torch.device(device):
                model = transformers.AutoModelForCausalLM.from_config(config, dtype=dtype, trust_remote_code=trust)
        else:
            auto: Any = transformers.AutoModelForCausalLM
            # On CUDA the weights go straight to the GPU, never through a full copy in RAM.
            placement = {"device_map": device} if device == "cuda" else {}
            model = auto.from_pretrained(source, config=config, dtype=dtype, trust_remote_code=trust, **placement)
            model.to(device)
    except torch.OutOfMemoryError as exc:
        raise DryRunError(
            "DR106", f"out of memory loading the model: {_line(exc)}", plan.model_key, "try --device meta"
        ) from None
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise DryRunError(
            "DR105", f"loading the model failed: {type(exc).__name__}: {_line(exc)}", plan.model_key
        ) from None
    if hasattr(model.config, "use_cache"):
        model.config.use_cache = False
    return model  # type: ignore[no-any-return]


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:400] if lines else type(exc).__name__


def linear_names(model: nn.Module) -> list[str]:
    """What LLaMA-Factory's `lora_target: all` selects: leaf names of modules whose class name
    contains "Linear" (so GPT-2's Conv1D layers are not chosen), the output head excluded."""
    getter: Any = getattr(model, "get_output_embeddings", None)
    head = getter() if callable(getter) else None
    names: set[str] = set()
    for name, module in model.named_modules():
        if module is head or name.rsplit(".", 1)[-1] in HEADS or "lm_head" in name:
            continue
        kind = type(module).__name__
        if "Linear" in kind and "Embedding" not in kind:
            names.add(name.rsplit(".", 1)[-1])
    return sorted(names)


def adaptable_names(model: nn.Module) -> list[str]:
    """Leaf names peft can put LoRA on when named explicitly (Linear and GPT-2's Conv1D)."""
    names = {
        n.rsplit(".", 1)[-1]
        for n, m in model.named_modules()
        if isinstance(m, nn.Linear) or type(m).__name__ == "Conv1D"
    }
    return sorted(names - set(HEADS))


def _matches(model: nn.Module, target: str) -> bool:
    return any(name == target or name.endswith("." + target) for name, _ in model.named_modules())


def template_growth(model: nn.Module, tokenizer: Any, plan: Plan) -> int | None:
    """The trainer adds the chat template's stop words to the tokenizer (the first becomes its
    EOS and ends every answer). Returns the grown tokenizer length when `resize_vocab` makes
    the trainer grow the embedding for it (and, for LoRA without `additional_target`, train the
    embeddings in full); None when nothing changes. Without `resize_vocab`, an EOS token that
    lands past the embedding's rows fails the first step: DR309."""
    from lorachecks.formats.llamafactory.template_tokens import TEMPLATE_EOS, TEMPLATE_STOP_WORDS, VERSION

    embeddings: Any = getattr(model, "get_input_embeddings", lambda: None)()
    rows = getattr(embeddings, "num_embeddings", None)
    if tokenizer is None or not isinstance(rows, int):
        return None
    vocab = tokenizer.get_vocab()
    added = [w for w in dict.fromkeys(TEMPLATE_STOP_WORDS.get(plan.template or "", ())) if w not in vocab]
    size = len(tokenizer) + len(added)
    if plan.resize_vocab:
        if size <= rows:
            return None
        if plan.finetuning_type == "lora" and not plan.extra_modules:
            output: Any = getattr(model, "get_output_embeddings", lambda: None)()
            plan.extra_modules = sorted(
                {n.rsplit(".", 1)[-1] for n, m in model.named_modules() if n and m in (embeddings, output)}
            )
        return size
    eos = TEMPLATE_EOS.get(plan.template or "")
    if eos is not None and eos in added and len(tokenizer) + added.index(eos) >= rows:
        raise DryRunError(
            "DR309",
            f"`template: {plan.template}` makes {eos} the end-of-turn token, which this tokenizer does not have: it "
            f"gets id {len(tokenizer) + added.index(eos)}, but the embedding has {rows} rows, so the trainer fails "
            f"at the first step (IndexError; LLaMA-Factory {VERSION})",
            "template",
            "use the model's own template, or set `resize_vocab: true` to grow the embedding",
        )
    return None


def grow_embeddings(model: nn.Module, size: int) -> None:
    """As the trainer's `resize_vocab` does: rows for ``size`` tokens, padded to a multiple of 64."""
    resize: Any = getattr(model, "resize_token_embeddings", None)
    if callable(resize):
        resize(size, pad_to_multiple_of=64)


def apply_finetuning(model: nn.Module, plan: Plan) -> tuple[nn.Module, list[str]]:
    """Make the trainable set the trainer makes; returns the model and the adapted module names."""
    torch.manual_seed(plan.seed)  # the trainer seeds before building: identical runs, identical adapters
    if plan.finetuning_type == "full":
        for param in model.parameters():
            param.requires_grad_(True)
            if plan.precision_key != "pure_bf16" and param.dtype != torch.float32:
                param.data = param.data.float()  # the trainer keeps trainable weights in fp32
        return model, []
    if plan.finetuning_type == "freeze":
        return _freeze(model, plan), []
    return _lora(model, plan)


def _lora(model: nn.Module, plan: Plan) -> tuple[nn.Module, list[str]]:
    import peft

    available = linear_names(model)
    if "all" in plan.targets:
        targets = available
        if not targets:  # peft gets no target module and stops, and so does the trainer
            explicit = adaptable_names(model)
            raise DryRunError(
                "DR201",
                f"`{plan.target_key}: all` finds no layer whose class is a Linear (LLaMA-Factory's rule): "
                "the trainer stops",
                plan.target_key,
                f"name the layers instead: {', '.join(explicit)}" if explicit else None,
            )
    else:
        missing = [t for t in plan.targets if not _matches(model, t)]
        targets = [t for t in plan.targets if t not in missing]
        hint = f"use `all`, or some of: {', '.join(available or adaptable_names(model))}"
        if missing and not targets:  # peft finds nothing to adapt and stops
            raise DryRunError(
                "DR201",
                f"`{plan.target_key}` names {', '.join(missing)}, which this model does not have",
                plan.target_key,
                hint,
            )
        if missing:  # peft adapts the names it finds and ignores the others: the trainer runs
            _warn(
                plan,
                "DR201",
                f"`{plan.target_key}` names {', '.join(missing)}, which this model does not have: the trainer runs, "
                f"and peft trains only {', '.join(targets)}",
                plan.target_key,
                hint,
            )
    extra_missing = [m for m in plan.extra_modules if not _matches(model, m)]
    extra = [m for m in plan.extra_modules if m not in extra_missing]
    if extra_missing:  # peft's modules_to_save skips names it does not find: the trainer runs
        children = sorted(
            {n.rsplit(".", 1)[-1] for n, _ in model.named_modules() if n and "." not in n.split(".", 2)[-1]}
        )
        _warn(
            plan,
            "DR203",
            f"`additional_target` names {', '.join(extra_missing)}, which this model does not have: the trainer runs "
            "without training them",
            "additional_target",
            f"top-level modules include: {', '.join(children[:12])}",
        )
    alpha = plan.alpha if plan.alpha is not None else plan.rank * 2
    if alpha == 0:
        plan.inert = "`lora_alpha: 0` scales every LoRA update by 0"
        _warn(
            plan,
            "DR202",
            f"{plan.inert}: the trainer runs, and the adapter changes nothing in the model",
            "lora_alpha",
            "leave lora_alpha out (the trainer uses twice the rank) or set it, e.g. to the rank",
        )
    try:
        config = peft.LoraConfig(
            r=plan.rank,
            lora_alpha=alpha,  # type: ignore[arg-type]
            lora_dropout=plan.dropout,
            target_modules=targets,
            use_dora=plan.use_dora,
            use_rslora=plan.use_rslora,
            modules_to_save=extra or None,
            task_type="CAUSAL_LM",
        )
        on_meta = next(model.parameters()).device.type == "meta"
        # On meta, create the adapter weights there too: no CPU allocation, no init cost.
        with torch.device("meta") if on_meta else contextlib.nullcontext():
            adapted = peft.get_peft_model(model, config)  # type: ignore[arg-type]
    except ValueError as exc:
        text = _line(exc)
        if "Target modules" in text or "not found in the base model" in text:
            raise DryRunError(
                "DR201", f"peft: {text}", plan.target_key, f"choose from: {', '.join(available)}"
            ) from None
        key = "lora_dropout" if "dropout" in text else "lora_alpha" if "alpha" in text else "lora_rank"
        raise DryRunError("DR202", f"peft refuses the adapter: {text}", key) from None
    if plan.precision_key != "pure_bf16":
        for param in adapted.parameters():
            if param.requires_grad and param.dtype != torch.float32:
                param.data = param.data.float()
    names = sorted(
        n for n, m in adapted.named_modules() if hasattr(m, "lora_A") and isinstance(m.lora_A, nn.ModuleDict)
    )
    return adapted, names


def _warn(plan: Plan, code: str, message: str, key: str | None, hint: str | None) -> None:
    """A warning for the report (once, though the model is adapted on meta first, then for real)."""
    if (code, message, key, hint) not in plan.warnings:
        plan.warnings.append((code, message, key, hint))


def _layer_count(model: nn.Module) -> int:
    config = getattr(model, "config", None)
    for attr in ("num_hidden_layers", "num_layers", "n_layer"):
        value = getattr(config, attr, None)
        if isinstance(value, int):
            return value
    raise DryRunError("DR002", "cannot tell how many layers the model has for freeze tuning", "finetuning_type")


def _freeze(model: nn.Module, plan: Plan) -> nn.Module:
    layers = _layer_count(model)
    k = plan.freeze_layers
    ids = range(max(0, layers - k), layers) if k > 0 else range(min(-k, layers))
    # The trainer names a layer's own children (self_attn, mlp, ...), found after `.0.`/`.1.`.
    children = sorted(
        {n.split(f".{i}.", 1)[1].split(".")[0] for n, _ in model.named_modules() for i in (0, 1) if f".{i}." in n}
    )
    unknown = [m for m in plan.freeze_modules if m != "all" and m not in children]
    if unknown:
        raise DryRunError(
            "DR201",
            f"`freeze_trainable_modules` names {', '.join(unknown)}, not a module of the model's layers: "
            "the trainer stops ('Module ... is not found')",
            "freeze_trainable_modules",
            f"choose from: {', '.join(children)} (or all)",
        )
    if "all" in plan.freeze_modules:
        patterns = [f".{i}." for i in ids]
    else:
        patterns = [f".{i}.{m}" for i in ids for m in plan.freeze_modules]
    patterns += [f"{m}." for m in plan.freeze_extra]
    for name, param in model.named_parameters():
        trainable = any(p in name or name.startswith(p) for p in patterns)
        param.requires_grad_(trainable)
        if trainable and plan.precision_key != "pure_bf16":
            param.data = param.data.float()
    return model


def load_tokenizer(source: str, plan: Plan, device: str, trust_flag: bool) -> Any:
    """The trainer loads the tokenizer first and stops when it cannot (DR107); meta may go without."""
    name = plan.tokenizer or source
    try:
        return transformers.AutoTokenizer.from_pretrained(name, trust_remote_code=plan.trust_remote_code and trust_flag)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if device == "meta":
            return None
        raise DryRunError(
            "DR107",
            f"the tokenizer cannot be loaded from {name}: {type(exc).__name__}: {_line(exc)}",
            "tokenizer" if plan.tokenizer else plan.model_key,
            "the model folder needs tokenizer files (tokenizer.json or tokenizer.model with tokenizer_config.json)",
        ) from None


def make_batch(
    model: nn.Module, plan: Plan, device: str, tokenizer: Any = None, texts: list[str] | None = None
) -> tuple[dict[str, Any], str]:
    """A batch of the trainer's shape: real token ids from ``texts`` when given, else synthetic ids."""
    vocab = int(getattr(model.config, "vocab_size", 0) or 0)
    if vocab <= 0:
        raise DryRunError("DR103", "the model config has no vocab_size", plan.model_key)
    shape = (plan.batch_size, plan.seq_len)
    if plan.batch_size <= 0 or plan.seq_len <= 0:
        key = plan.batch_key if plan.batch_size <= 0 else plan.seq_key
        raise DryRunError("DR002", f"batch shape {shape} is empty", key)
    if tokenizer is not None and texts:
        ids, what = _real_ids(tokenizer, texts, shape, vocab, plan)
    else:
        generator = torch.Generator().manual_seed(0)
        ids, what = torch.randint(0, vocab, shape, generator=generator), "synthetic token ids"
    ids = ids.to(device)
    # No padding, so no attention mask. On meta, transformers' mask code inspects mask and
    # position values unless a cache is passed (use_cache=True), which it cannot do on meta.
    batch: dict[str, Any] = {"input_ids": ids, "labels": ids}
    if device == "meta":
        batch["use_cache"] = True
    return batch, f"{plan.batch_size} x {plan.seq_len} {what}"


def _real_ids(
    tokenizer: Any, texts: list[str], shape: tuple[int, int], vocab: int, plan: Plan
) -> tuple[torch.Tensor, str]:
    """Tokenize, join with EOS and repeat to fill the batch (packed, as `packing` would)."""
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for text in texts:
        stream.extend(tokenizer(text, add_special_tokens=True)["input_ids"])
        if isinstance(eos, int):
            stream.append(eos)
    if not stream:
        raise DryRunError("DR107", "the tokenizer turns the dataset into no tokens", plan.model_key)
    top = max(stream)
    if top >= vocab:
        raise DryRunError(
            "DR301",
            f"the tokenizer produces id {top}, beyond the model's vocab_size {vocab}: the embedding lookup fails",
            "tokenizer" if plan.tokenizer else plan.model_key,
            "use the tokenizer that belongs to the model",
        )
    need = shape[0] * shape[1]
    repeated = (stream * (need // len(stream) + 1))[:need]
    return torch.tensor(repeated, dtype=torch.long).view(shape), f"token ids of {len(texts)} real sample(s)"


def loss_fn(batch: dict[str, Any]) -> LossFn:
    def compute(model: nn.Module) -> torch.Tensor:
        output = model(**batch)
        loss = getattr(output, "loss", None)
        if not isinstance(loss, torch.Tensor):
            raise ValueError("the model returned no loss")
        return loss

    return compute


def enable_checkpointing(model: nn.Module, plan: Plan) -> None:
    if plan.gradient_checkpointing and getattr(model, "supports_gradient_checkpointing", False):
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})  # type: ignore[operator]

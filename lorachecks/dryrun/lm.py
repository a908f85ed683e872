"""Language models (LLaMA-Factory, lora-scripts text-generation): load, adapt, batch.

Imports torch, transformers and peft; only `lorachecks dry-run` reaches this module.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from types import SimpleNamespace
from typing import Any

import torch
import transformers
from torch import nn

from lorachecks.core.architectures import HEADS
from lorachecks.dryrun.config import DryRunError, Plan
from lorachecks.dryrun.encode import Encoded
from lorachecks.dryrun.step import LossFn
from lorachecks.formats.llamafactory.trainer_tables import COMPOSITES, LIBRARY_RANGES, LLAMAFACTORY_VERSION


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


def library_versions(plan: Plan) -> dict[str, str]:
    """The versions this verdict holds for: peft decides what a target list adapts (MoE
    experts, new layer types), transformers how a model's layers are built."""
    import peft

    versions = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}
    if plan.kind == "llamafactory":
        versions["LLaMA-Factory rules"] = LLAMAFACTORY_VERSION
    return versions


def version_gaps(versions: dict[str, str]) -> list[str]:
    """The installed libraries LLaMA-Factory's start-up check would refuse: the trainer then
    runs with other versions, and what peft adapts (MoE routers, fused experts) can differ."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    gaps = []
    for name, spec in LIBRARY_RANGES.items():
        installed = versions.get(name)
        if installed is None:
            continue
        try:
            accepted = Version(installed) in SpecifierSet(spec)
        except (InvalidSpecifier, InvalidVersion):
            continue
        if not accepted:
            gaps.append(
                f"this verdict is from {name} {installed}; LLaMA-Factory {LLAMAFACTORY_VERSION} runs with "
                f"{name}{spec}: with the trainer's {name}, a target list can adapt other modules (or fail); "
                "dry-run in an environment with the trainer's versions for its exact verdict"
            )
    return gaps


def model_class(config: Any) -> Any:
    """The Auto class the trainer loads with: image-text models (Qwen2-VL, LLaVA, ...) with
    AutoModelForImageTextToText, every other language model with AutoModelForCausalLM."""
    image_text: Any = getattr(transformers, "AutoModelForImageTextToText", None)
    mapping = getattr(image_text, "_model_mapping", None)
    if image_text is not None and mapping is not None and type(config) in mapping:
        return image_text
    return transformers.AutoModelForCausalLM


def build(
    source: str, config: Any, plan: Plan, device: str, dtype: torch.dtype, trust_flag: bool, init: str = "weights"
) -> nn.Module:
    """The model: on meta from the config alone, else with its weights (or random ones, ``init="random"``)."""
    trust = plan.trust_remote_code and trust_flag
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    auto = model_class(config)
    config = copy.deepcopy(config)  # resizing the embeddings writes to it: each model gets its own
    try:
        if device == "meta" or init == "random":
            torch.manual_seed(0)  # random weights, the same on every run
            # Mixture-of-experts layers: transformers' default grouped matmul has a meta kernel
            # for bf16 only; the batched one gives the same shapes in any dtype.
            kernels = {"experts_implementation": "batched_mm"} if device == "meta" else {}
            with torch.device(device):
                model = auto.from_config(config, dtype=dtype, trust_remote_code=trust, **kernels)
        else:
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
    for part in (model.config, getattr(model.config, "text_config", None)):
        if part is not None and hasattr(part, "use_cache"):
            part.use_cache = False
    return model  # type: ignore[no-any-return]


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:400] if lines else type(exc).__name__


# The output layers LLaMA-Factory never adapts with `all`, beside `lm_head`, per model_type.
_OUTPUT_LAYERS = {"chatglm": "output_layer", "internlm2": "output"}


def _model_type(model: nn.Module) -> str:
    return str(getattr(getattr(model, "config", None), "model_type", "") or "")


def frozen_parts(model: nn.Module, plan: Plan) -> set[str]:
    """Name keys of a multimodal model's parts the config keeps frozen (vision tower,
    projector, language model, as its freeze_* switches say); empty for a text model."""
    parts = COMPOSITES.get(_model_type(model))
    if parts is None:
        return set()
    projector, vision, language, _ = parts
    keys: set[str] = set()
    for frozen, names in (
        (plan.freeze_vision_tower, vision),
        (plan.freeze_projector, projector),
        (plan.freeze_language_model, language),
    ):
        if frozen:
            keys.update(names)
    return keys


def linear_names(model: nn.Module, plan: Plan | None = None) -> list[str]:
    """What `lora_target: all` selects: leaf names of modules whose class name contains
    "Linear" (so GPT-2's Conv1D layers are not chosen). LLaMA-Factory leaves out names holding
    `lm_head` (and the output layer of the model types it knows), a multimodal model's
    projector and, while frozen, its vision tower: a head under another name (GPT-NeoX's
    `embed_out`) is adapted. Other trainers: every output head is left out."""
    kind = _model_type(model)
    forbidden = {"lm_head", *([_OUTPUT_LAYERS[kind]] if kind in _OUTPUT_LAYERS else [])}
    parts = COMPOSITES.get(kind)
    if parts is not None:
        forbidden.update(parts[0])
        if plan is None or plan.freeze_vision_tower:
            forbidden.update(parts[1])
    head, head_names = None, frozenset[str]()
    if plan is None or plan.kind != "llamafactory":
        getter: Any = getattr(model, "get_output_embeddings", None)
        head, head_names = (getter() if callable(getter) else None), HEADS
    names: set[str] = set()
    for name, module in model.named_modules():
        if module is head or name.rsplit(".", 1)[-1] in head_names or any(key in name for key in forbidden):
            continue
        kind_name = type(module).__name__
        if "Linear" in kind_name and "Embedding" not in kind_name:
            names.add(name.rsplit(".", 1)[-1])
    return sorted(names)


def vision_parts(model: nn.Module) -> tuple[str, ...]:
    """Name keys of a multimodal model's vision tower and projector (a text batch skips them)."""
    parts = COMPOSITES.get(_model_type(model))
    return (*parts[0], *parts[1]) if parts is not None else ()


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
        if plan.finetuning_type in ("lora", "oft") and not plan.extra_modules:
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


# The trainer's `resize_vocab` rounds the embedding's rows up to a multiple of this.
EMBEDDING_MULTIPLE = 64


def grown_rows(size: int) -> int:
    """The embedding rows `resize_vocab` gives a tokenizer of ``size`` tokens."""
    return -(-size // EMBEDDING_MULTIPLE) * EMBEDDING_MULTIPLE


def grow_embeddings(model: nn.Module, size: int) -> None:
    """As the trainer's `resize_vocab` does: rows for ``size`` tokens, see grown_rows."""
    resize: Any = getattr(model, "resize_token_embeddings", None)
    if callable(resize):
        # On meta there are no values to average: new rows get the default initialisation.
        on_meta = next(model.parameters()).device.type == "meta"
        resize(size, pad_to_multiple_of=EMBEDDING_MULTIPLE, mean_resizing=not on_meta)


def _upcast(params: Any, plan: Plan) -> None:
    """The trainer keeps trainable weights in fp32 unless `pure_bf16`, or under DeepSpeed ZeRO-3
    (registered by dryrun/zero.py in a --nproc rank), whose optimizer keeps fp32 copies."""
    from transformers.integrations.deepspeed import is_deepspeed_zero3_enabled

    if plan.precision_key == "pure_bf16" or is_deepspeed_zero3_enabled():
        return
    for param in params:
        if param.requires_grad and param.dtype != torch.float32:
            param.data = param.data.float()


def apply_finetuning(model: nn.Module, plan: Plan) -> tuple[nn.Module, list[str]]:
    """Make the trainable set the trainer makes; returns the model and the adapted module names."""
    torch.manual_seed(plan.seed)  # the trainer seeds before building: identical runs, identical adapters
    names: list[str] = []
    if plan.finetuning_type == "full":
        forbidden = frozen_parts(model, plan)
        for name, param in model.named_parameters():
            param.requires_grad_(not any(key in name for key in forbidden))
        _upcast(model.parameters(), plan)
    elif plan.finetuning_type == "freeze":
        model = _freeze(model, plan)
    else:
        model, names = _lora(model, plan)
    if plan.kind == "llamafactory" and plan.stage in VALUE_HEAD_STAGES:
        model = ValueHeadModel(model, plan.stage)
    return model, names


def _resolve_targets(model: nn.Module, plan: Plan) -> list[str]:
    """The module names the trainer hands peft, with DR201 where peft would find none."""
    available = linear_names(model, plan)
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
                f"`{plan.target_key}` names {', '.join(missing)}, which this model does not have"
                + _fused_experts_note(model),
                plan.target_key,
                hint,
            )
        if missing:  # peft adapts the names it finds and ignores the others: the trainer runs
            _warn(
                plan,
                "DR201",
                f"`{plan.target_key}` names {', '.join(missing)}, which this model does not have: the trainer runs, "
                f"and peft trains only {', '.join(targets)}" + _fused_experts_note(model),
                plan.target_key,
                hint,
            )
    parts = COMPOSITES.get(_model_type(model))
    if parts is None or plan.kind != "llamafactory":
        return targets
    # Multimodal models: LLaMA-Factory expands the names to every module whose dotted name
    # contains one of them, outside the frozen parts and the keys LoRA must avoid.
    forbidden = frozen_parts(model, plan) | set(parts[3])
    return [
        name
        for name, _ in model.named_modules()
        if any(t in name for t in targets) and not any(key in name for key in forbidden)
    ]


def _fused_experts_note(model: nn.Module) -> str:
    """MoE experts held as one 3-D tensor per layer (transformers 5) are no Linear modules."""
    fused = sorted({type(m).__name__ for m in model.modules() if type(m).__name__.endswith("Experts")})
    if not fused:
        return ""
    return (
        f" (in transformers {transformers.__version__} the experts are fused tensors in {', '.join(fused)}, "
        "not Linear layers peft can adapt by name)"
    )


def _lora(model: nn.Module, plan: Plan) -> tuple[nn.Module, list[str]]:
    import peft

    targets = _resolve_targets(model, plan)
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
            "leave lora_alpha out or set it, e.g. to the rank",
        )
    try:
        config: Any
        if plan.finetuning_type == "oft":
            config = peft.OFTConfig(
                r=plan.oft_rank,
                oft_block_size=plan.oft_block_size,
                target_modules=targets,
                module_dropout=plan.module_dropout,
                modules_to_save=extra or None,
                task_type="CAUSAL_LM",
            )
        else:
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
        raise _peft_refusal(exc, plan) from None
    _upcast(adapted.parameters(), plan)
    names = sorted(n for n, m in adapted.named_modules() if _is_adapted(m))
    return adapted, names


def _is_adapted(module: nn.Module) -> bool:
    """A layer peft put an adapter on (LoRA's lora_A, OFT's oft_R)."""
    return any(isinstance(getattr(module, attr, None), nn.ModuleDict) for attr in ("lora_A", "oft_R"))


def adapted_names(model: nn.Module) -> list[str]:
    """The adapted layers' names as in the base model (peft's and the value head's prefixes removed)."""
    return sorted(n.split("base_model.model.", 1)[-1] for n, m in model.named_modules() if _is_adapted(m))


def _peft_refusal(exc: ValueError, plan: Plan) -> DryRunError:
    """peft's refusal at the key that causes it, its text kept whole but for module dumps."""
    text = " ".join(str(exc).split())
    if text.startswith("Target module ") and " is not supported" in text:
        # "Target module <repr over many lines> is not supported. ...": the class name is enough.
        module = text.removeprefix("Target module ").split("(", 1)[0].strip()
        rest = text.split(" is not supported", 1)[1]
        return DryRunError(
            "DR201",
            f"peft cannot adapt `{module}` (a module of this type is not supported{rest.split('.', 1)[0]}): "
            "the trainer stops",
            plan.target_key,
            "name the Linear layers inside it instead",
        )
    if "Target modules" in text or "not found in the base model" in text:
        return DryRunError("DR201", f"peft: {text[:400]}", plan.target_key)
    key = "lora_dropout" if "dropout" in text else "lora_alpha" if "alpha" in text else "lora_rank"
    if plan.finetuning_type == "oft":
        key = "oft_block_size" if "block" in text else "oft_rank"
    return DryRunError("DR202", f"peft refuses the adapter: {text[:400]}", key)


def _warn(plan: Plan, code: str, message: str, key: str | None, hint: str | None) -> None:
    """A warning for the report (once, though the model is adapted on meta first, then for real)."""
    if (code, message, key, hint) not in plan.warnings:
        plan.warnings.append((code, message, key, hint))


def _layer_count(model: nn.Module) -> int:
    config = getattr(model, "config", None)
    config = getattr(config, "text_config", None) or config  # multimodal: the language model's layers
    for attr in ("num_hidden_layers", "num_layers", "n_layer"):
        value = getattr(config, attr, None)
        if isinstance(value, int) and value:
            return value
    raise DryRunError(
        "DR002", "the trainer cannot tell how many layers the model has for freeze tuning", "finetuning_type"
    )


def _freeze(model: nn.Module, plan: Plan) -> nn.Module:
    """LLaMA-Factory's freeze tuning: the last (or, negative, first) layers' named children,
    matched as `.<layer>.<child>` inside parameter names, plus `freeze_extra_modules`."""
    layers = _layer_count(model)
    k = plan.freeze_layers
    ids = range(max(0, layers - k), layers) if k > 0 else range(min(-k, layers))
    if plan.llama_pro:  # LLaMA Pro: the last layer of each of k equal groups
        if k <= 0 or layers % k:
            raise DryRunError(
                "DR202",
                f"`use_llama_pro` needs the {layers} layers to split into `freeze_trainable_layers` ({k}) equal "
                "groups: the trainer stops",
                "freeze_trainable_layers",
            )
        stride = layers // k
        ids = range(stride - 1, layers, stride)
    params = [name for name, _ in model.named_parameters()]
    # A layer's children (self_attn, mlp, ...) follow `.0.` (or `.1.`) in parameter names;
    # the modules outside the numbered layers are named by the part before `.weight`/`.bias`.
    children = sorted(
        {n.split(".0." if ".0." in n else ".1.")[-1].split(".")[0] for n in params if ".0." in n or ".1." in n}
    )
    outer = sorted({n.split(".")[-2] for n in params if re.search(r"\.\d+\.", n) is None and "." in n})
    for key, names, choices in (
        ("freeze_trainable_modules", [m for m in plan.freeze_modules if m != "all"], children),
        ("freeze_extra_modules", plan.freeze_extra, outer),
    ):
        unknown = [m for m in names if m not in choices]
        if unknown:
            raise DryRunError(
                "DR201",
                f"`{key}` names {', '.join(unknown)}, which the trainer does not find among "
                f"{'the layers' if key == 'freeze_trainable_modules' else 'the modules outside the layers'}: "
                "it stops ('Module ... is not found')",
                key,
                f"choose from: {', '.join(choices)}" + (" (or all)" if key == "freeze_trainable_modules" else ""),
            )
    patterns = [f".{i}.{'' if m == 'all' else m}" for m in plan.freeze_modules for i in ids] + plan.freeze_extra
    parts = COMPOSITES.get(_model_type(model))
    if parts is not None and not plan.freeze_projector:
        patterns += list(parts[0])
    forbidden = frozen_parts(model, plan)
    for name, param in model.named_parameters():
        trainable = any(p in name for p in patterns) and not any(key in name for key in forbidden)
        param.requires_grad_(trainable)
    _upcast(model.parameters(), plan)
    return model


# Stages whose model carries a value head (a Linear from the hidden size to one score).
VALUE_HEAD_STAGES = ("rm", "ppo")


class ValueHeadModel(nn.Module):
    """The model with a value head, as the trainer builds it for reward modelling and PPO:
    one score per position from the last hidden state; its forward returns the step's loss."""

    def __init__(self, model: nn.Module, stage: str) -> None:
        super().__init__()
        self.model = model
        self.stage = stage
        config = getattr(model, "config", None)
        config = getattr(config, "text_config", None) or config
        hidden = int(getattr(config, "hidden_size", 0) or getattr(config, "n_embd", 0))
        if hidden <= 0:
            raise DryRunError("DR002", "the model config has no hidden size for the value head", "stage")
        weight = next(model.parameters())
        self.v_head = nn.Linear(hidden, 1, device=weight.device)  # the trainer keeps it in fp32

    @property
    def config(self) -> Any:
        return getattr(self.model, "config", None)

    def forward(self, input_ids: torch.Tensor, labels: torch.Tensor, **kwargs: Any) -> Any:
        out = self.model(input_ids=input_ids, labels=labels, output_hidden_states=True, **kwargs)
        values = self.v_head(out.hidden_states[-1].float()).squeeze(-1)
        scores = values[:, -1]
        if self.stage == "rm":
            # Pairwise ranking: rows 0, 2, ... are the chosen answers, 1, 3, ... the rejected.
            chosen, rejected = (scores[0::2], scores[1::2]) if scores.shape[0] > 1 else (scores, scores * 0)
            loss = -nn.functional.logsigmoid(chosen - rejected).mean()
        else:
            loss = out.loss + values.pow(2).mean()
        return SimpleNamespace(loss=loss)

    def save_pretrained(self, folder: str) -> None:
        from safetensors.torch import save_file

        self.model.save_pretrained(folder)  # type: ignore[operator]
        save_file(
            {k: v.detach().contiguous() for k, v in self.value_head_state().items()}, f"{folder}/value_head.safetensors"
        )

    def value_head_state(self) -> dict[str, torch.Tensor]:
        return {f"v_head.{k}": v for k, v in self.v_head.state_dict().items()}


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


def check_processor(plan: Plan, source: str, trust_flag: bool) -> None:
    """A multimodal chat template needs the model's image processor: without one the trainer
    stops before training (DR107), even on a text-only dataset."""
    from lorachecks.formats.llamafactory.template_tokens import PROCESSOR_TEMPLATES

    if plan.kind != "llamafactory" or plan.template not in PROCESSOR_TEMPLATES:
        return
    if not _has_processor(source, plan, trust_flag):
        raise DryRunError(
            "DR107",
            f"`template: {plan.template}` is a multimodal template and needs the model's processor, which cannot "
            "be loaded from the model folder: the trainer stops ('Processor was not found')",
            "template",
            "add the processor files (preprocessor_config.json) to the model folder, or use a text template",
        )


def _has_processor(source: str, plan: Plan, trust_flag: bool) -> bool:
    try:
        processor = transformers.AutoProcessor.from_pretrained(
            source, trust_remote_code=plan.trust_remote_code and trust_flag
        )
    except Exception:  # any failure means: no processor, as the trainer concludes
        return False
    return "Processor" in type(processor).__name__


def make_batch(
    model: nn.Module, plan: Plan, device: str, tokenizer: Any = None, texts: list[str] | None = None
) -> tuple[dict[str, Any], str]:
    """A batch of the trainer's shape: real token ids from ``texts`` when given, else synthetic ids."""
    vocab = embedding_rows(model)
    if vocab <= 0:
        raise DryRunError("DR103", "the model has no input embedding to size the batch's token ids", plan.model_key)
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


def check_encoded_ids(rows: int, plan: Plan, encoded: Encoded) -> None:
    """Every encoded id must have one of the embedding's ``rows``; an id the template added
    past them fails the trainer's first step (DR309), any other one means a tokenizer that
    does not belong to the model (DR301)."""
    top = max((max(ids) for ids, _ in encoded.samples if ids), default=-1)
    if top < rows:
        return
    if top >= encoded.vocab_before:
        raise DryRunError(
            "DR309",
            f"`template: {plan.template}` adds tokens to the tokenizer, and the encoded dataset holds id {top}, but "
            f"the model's embedding has {rows} rows: the trainer fails at the first step (IndexError)",
            "template",
            "use the model's own template, or set `resize_vocab: true` to grow the embedding",
        )
    raise DryRunError(
        "DR301",
        f"the tokenizer produces id {top}, beyond the model's {rows} embedding rows: the embedding lookup fails",
        "tokenizer" if plan.tokenizer else plan.model_key,
        "use the tokenizer that belongs to the model",
    )


def encoded_batch(plan: Plan, device: str, encoded: Encoded, pad_id: int) -> tuple[dict[str, Any], str]:
    """The first `per_device_train_batch_size` encoded examples (repeated when the dataset
    has fewer), padded on the right to the longest (for sft rounded up to a multiple of 8), as
    the trainer's collator pads them: pad ids in the input, ignored labels, a zero attention mask."""
    from lorachecks.dryrun.encode import IGNORE

    if plan.batch_size <= 0:
        raise DryRunError("DR002", f"batch size {plan.batch_size} is empty", plan.batch_key)
    chosen = [encoded.samples[i % len(encoded.samples)] for i in range(plan.batch_size)]
    longest = max(len(ids) for ids, _ in chosen)
    if longest == 0:
        raise DryRunError("DR002", "the encoded examples hold no tokens", plan.seq_key)
    multiple = 1 if plan.stage == "pt" else 8  # pre-training's collator pads to the longest only
    length = -(-longest // multiple) * multiple
    ids = torch.tensor([s + [pad_id] * (length - len(s)) for s, _ in chosen], dtype=torch.long)
    labels = torch.tensor([t + [IGNORE] * (length - len(t)) for _, t in chosen], dtype=torch.long)
    batch: dict[str, Any] = {"input_ids": ids.to(device), "labels": labels.to(device)}
    if device == "meta":  # see make_batch: no mask values to inspect on meta
        batch["use_cache"] = True
    else:
        mask = [[1] * len(s) + [0] * (length - len(s)) for s, _ in chosen]
        batch["attention_mask"] = torch.tensor(mask, dtype=torch.long).to(device)
    trained = sum(1 for _, t in chosen for label in t if label != IGNORE)
    tokens = sum(len(s) for s, _ in chosen)
    repeated = " (repeated to fill the batch)" if len(encoded.samples) < plan.batch_size else ""
    if plan.stage == "pt":
        how = "texts packed into blocks" if plan.packing else "texts cut one by one"
    else:
        how = "prompts masked" + (", train_on_prompt" if plan.train_on_prompt else "")
        how += ", mask_history" if plan.mask_history else ""
    what = (
        f"{plan.batch_size} x {length} token ids of {len(encoded.samples)} example(s) encoded as the trainer encodes "
        f"them{repeated}: cutoff_len {plan.seq_len}, {trained} of {tokens} tokens trained on ({how})"
    )
    return batch, what


def embedding_rows(model: nn.Module) -> int:
    """How many token ids the input embedding holds (what an id must stay below)."""
    getter: Any = getattr(model, "get_input_embeddings", None)
    embedding = getter() if callable(getter) else None
    rows = getattr(embedding, "num_embeddings", None)
    if isinstance(rows, int):
        return rows
    config = getattr(model, "config", None)
    config = getattr(config, "text_config", None) or config
    return int(getattr(config, "vocab_size", 0) or 0)


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
            f"the tokenizer produces id {top}, beyond the model's {vocab} embedding rows: the embedding lookup fails",
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

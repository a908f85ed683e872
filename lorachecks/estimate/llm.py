"""Peak training memory of an LLM fine-tuning run (LLaMA-Factory options).

The formulas and their sources are in docs/estimate.md. Everything is computed from the
config mapping as the trainer would read it, with LLaMA-Factory's defaults for keys that
are absent; every default and simplification taken is listed in ``assumptions``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from lorachecks.core import fsmemo
from lorachecks.core.paths import can_be_path, read_json, resolve
from lorachecks.core.records import record
from lorachecks.estimate.architecture import LLMArch, llm_from_config_json, llm_from_safetensors
from lorachecks.estimate.catalogue import lookup_llm
from lorachecks.estimate.multimodal import VisionParts, vision_parts
from lorachecks.estimate.result import GIB, Estimate
from lorachecks.formats import effective
from lorachecks.formats.effective import Effective
from lorachecks.formats.llamafactory.trainer_tables import COMPOSITES
from lorachecks.formats.llamafactory.values import split_names

# CUDA context, cuBLAS/cuDNN workspaces and kernels, resident whatever the model.
CONTEXT_BYTES = 0.5 * GIB
# Caching-allocator fragmentation: reserved exceeds allocated by about this fraction.
FRAGMENTATION = 0.05

_8BIT_OPTIMS = re.compile(r"8bit|8_bit|bnb_8")


@record(frozen=True, slots=True)
class ResolvedLLM:
    arch: LLMArch | None
    source: str
    # A vision-language model LLaMA-Factory knows: its model_type, and its vision tower and
    # projector as the checkpoint's header gives them (None without a local header).
    multimodal: str | None = None
    parts: VisionParts | None = None


def resolve_llm(value: object, base: Path) -> ResolvedLLM:
    """Dimensions of ``model_name_or_path``: local config.json, safetensors header, catalogue."""
    if isinstance(value, str):  # several rules and every config of a run ask for the same model
        return fsmemo.remember(("resolve_llm", value, base), lambda: _resolve_llm(value, base))
    return _resolve_llm(value, base)


def _resolve_llm(value: object, base: Path) -> ResolvedLLM:
    if not isinstance(value, str) or not value.strip():
        return ResolvedLLM(None, "unknown (no model_name_or_path)")
    name = value.strip()
    path = resolve(name, base) if "${" not in name and can_be_path(name) else None
    if path is not None and fsmemo.exists(path):
        config_file = path / "config.json" if fsmemo.is_dir(path) else None
        if config_file is not None and fsmemo.is_file(config_file):
            data, error = read_json(config_file)
            if error is None and isinstance(data, dict):
                arch = llm_from_config_json(data)
                if arch is not None:
                    model_type = str(data.get("model_type", ""))
                    if model_type in COMPOSITES:
                        parts = vision_parts(path, model_type)
                        return ResolvedLLM(arch, f"config.json {config_file}", model_type, parts)
                    return ResolvedLLM(arch, f"config.json {config_file}")
        if (path.is_file() and path.suffix == ".safetensors") or (path.is_dir() and any(path.glob("*.safetensors"))):
            from lorachecks.files.safetensors_header import NotSafetensors

            try:
                arch = llm_from_safetensors(path)
            except (NotSafetensors, OSError) as exc:
                return ResolvedLLM(None, f"unknown (safetensors header unreadable: {exc})")
            if arch is not None:
                return ResolvedLLM(arch, f"safetensors header {path}")
        return ResolvedLLM(None, f"unknown (local model {path} has no readable config.json or safetensors)")
    found = lookup_llm(name)
    if found is not None:
        return ResolvedLLM(found[1], f"catalogue {found[0]}")
    return ResolvedLLM(None, f"unknown (`{name}` is neither a local model folder nor in the built-in catalogue)")


# Categories of projection names used in `lora_target` (any architecture's spelling).
_Q = {"q_proj", "query", "wq", "q"}
_K = {"k_proj", "key", "wk", "k"}
_V = {"v_proj", "value", "wv", "v"}
_O = {"o_proj", "dense", "out_proj", "wo", "o", "self_attention.dense"}
_QKV = {"query_key_value", "qkv_proj", "c_attn", "w_pack", "wqkv", "qkv"}
_UP = {"gate_proj", "up_proj", "w1", "w3", "c_fc", "fc1", "dense_h_to_4h", "gate_up_proj"}
# Architectures whose checkpoints fuse q/k/v (and gate/up) into one linear layer.
_FUSED_QKV = frozenset({"chatglm", "phi3", "falcon", "bloom", "qwen", "baichuan", "internlm2", "gpt2"})
_FUSED_GATE_UP = frozenset({"chatglm", "phi3"})
_DOWN = {"down_proj", "w2", "fc2", "dense_4h_to_h", "c_proj"}


def lora_modules(arch: LLMArch, target: str) -> tuple[list[tuple[int, int, int]], list[str]]:
    """(in, out, count) of the linear layers a `lora_target` wraps, and names not understood."""
    names = [n.strip().lower().rsplit(".", 1)[-1] for n in target.split(",") if n.strip()]
    attn = arch.attention_linears()
    moe = arch.moe_layers
    dense_layers = arch.layers - moe
    mlp_dense = arch.mlp_linears(False)
    mlp_moe = arch.mlp_linears(True) if moe else []
    down_dense = [m for m in mlp_dense if m[0] != arch.hidden]
    down_moe = [m for m in mlp_moe if m[0] != arch.hidden]
    out: list[tuple[int, int, int]] = []
    unknown: list[str] = []

    def add(mods: list[tuple[int, int]], layers: int) -> None:
        out.extend((i, o, layers) for i, o in mods)

    if "all" in names:
        # LLaMA-Factory's `all` is every Linear layer but the head; in transformers >= 5 an MoE
        # layer's routed experts and router are not Linear layers, so they are not adapted.
        if arch.model_type in _FUSED_QKV:
            attn = [(arch.hidden, arch.q_dim + 2 * arch.kv_dim), attn[3]]
        if arch.model_type in _FUSED_GATE_UP and arch.mlp_matrices == 3:
            mlp_dense = [(arch.hidden, 2 * arch.intermediate), *down_dense]
        add(attn, arch.layers)
        add(mlp_dense, dense_layers)
        add(arch.shared_expert_linears(), moe)
        return out, []
    for name in dict.fromkeys(names):
        if name in _Q:
            add([attn[0]], arch.layers)
        elif name in _K:
            add([attn[1]], arch.layers)
        elif name in _V:
            add([attn[2]], arch.layers)
        elif name in _QKV:
            add([(arch.hidden, arch.q_dim + 2 * arch.kv_dim)], arch.layers)
        elif name in _O:
            add([attn[3]], arch.layers)
        elif name in _UP:
            fused = name in {"gate_up_proj", "dense_h_to_4h"} and arch.mlp_matrices == 3
            width = 2 * arch.intermediate if fused else arch.intermediate
            add([(arch.hidden, width)], dense_layers)
            if moe:  # one projection of this name per expert (and shared expert)
                experts = [(arch.hidden, arch.moe_intermediate)] * arch.experts
                shared = [(arch.hidden, arch.shared_intermediate)] if arch.shared_intermediate else []
                add(experts + shared, moe)
        elif name in _DOWN:
            add(down_dense, dense_layers)
            add(down_moe, moe)
        elif name in {"lm_head", "output", "embed_out"}:
            out.append((arch.hidden, arch.vocab, 1))
        else:
            unknown.append(name)
    return out, unknown


def _lora_target(values: Effective) -> str:
    """`lora_target` as comma-separated names: LLaMA-Factory takes a YAML list of names too."""
    target = values["lora_target"]
    if isinstance(target, list):
        target = ",".join(split_names(target))
    return target if isinstance(target, str) else values.default("lora_target")


def _freeze_patterns(values: Effective, layers: int) -> list[str]:
    """What freeze tuning matches in parameter names: `.<layer id>.<module>` for the trainable
    layers (the last `freeze_trainable_layers`, or the first when negative) and modules."""
    k = values.typed("freeze_trainable_layers", int)
    ids = range(max(0, layers - k), layers) if k > 0 else range(min(-k, layers))
    modules = values.typed("freeze_trainable_modules", str)
    names = [m.strip() for m in modules.split(",") if m.strip()] or ["all"]
    return [f".{i}.{'' if m == 'all' else m}" for m in names for i in ids]


def _multimodal(
    values: Effective, resolved: ResolvedLLM, method: str, rank: int, dora: bool, language: int, notes: list[str]
) -> tuple[int, int, int]:
    """A vision-language model as LLaMA-Factory trains it: (trainable parameters, of them those
    added in the vision tower and projector, parameters of those two parts). ``language`` is
    what the method trains in the language model."""
    arch, parts = resolved.arch, resolved.parts
    assert arch is not None
    train_vision = not values.typed("freeze_vision_tower", bool)
    train_projector = not values.typed("freeze_multi_modal_projector", bool)
    if values.typed("freeze_language_model", bool) and method in {"full", "freeze"}:
        language = 0
    if parts is None:
        if train_vision or train_projector:
            # Their sizes are not in config.json: said, not guessed.
            notes.append(
                f"{resolved.multimodal}: the vision tower and projector are not counted (no safetensors header beside "
                "config.json to read their sizes from), although this config trains "
                + " and ".join(
                    p for p, on in (("the vision tower", train_vision), ("the projector", train_projector)) if on
                )
            )
        else:
            notes.append(
                f"{resolved.multimodal}: the frozen vision tower and projector are not counted (no safetensors header)"
            )
        return language, 0, 0
    if method in {"lora", "oft"}:
        targets = [t.strip() for t in _lora_target(values).split(",") if t.strip()]
        added = parts.lora(rank, targets or ["all"], dora, train_vision, train_projector)
    elif method == "freeze":
        added = parts.freeze_tuned(_freeze_patterns(values, arch.layers), train_vision, train_projector)
    else:
        added = parts.trainable(train_vision, train_projector)
    frozen = [p for p, on in (("vision tower", train_vision), ("projector", train_projector)) if not on]
    notes.append(
        f"{resolved.multimodal}: vision tower {parts.vision_params:,} and projector {parts.projector_params:,} "
        f"parameters (safetensors header); {added:,} of them trainable"
        + (
            f", the {' and '.join(frozen)} frozen as the trainer keeps {'them' if len(frozen) > 1 else 'it'}"
            if frozen
            else ""
        )
    )
    return language + added, added, parts.vision_params + parts.projector_params


def _deepspeed(config: dict[str, Any], base: Path) -> tuple[int, bool, bool, str]:
    """(ZeRO stage, optimizer offload, parameter offload, how it was known)."""
    value = config.get("deepspeed")
    data: object = None
    where = ""
    if isinstance(value, dict):
        data, where = value, "inline"
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.startswith("{"):
            import json

            try:
                data, where = json.loads(text), "inline JSON"
            except json.JSONDecodeError:
                data = None
        else:
            loaded, error = read_json(resolve(text, base))
            if error is None:
                data, where = loaded, text
            else:  # unreadable here: read the stage off the usual file names (ds_z3_offload_config.json)
                match = re.search(r"z(?:ero)?_?([0-3])", Path(text).name.lower())
                offload = "offload" in text.lower()
                stage = int(match.group(1)) if match else 0
                return stage, offload, offload and stage == 3, f"{text} (not readable here; stage from its name)"
    if not isinstance(data, dict):
        return 0, False, False, ""
    zero = data.get("zero_optimization")
    zero = zero if isinstance(zero, dict) else {}
    stage = zero.get("stage", 0)
    stage = stage if isinstance(stage, int) and 0 <= stage <= 3 else 0

    def offloaded(key: str) -> bool:
        entry = zero.get(key)
        return isinstance(entry, dict) and entry.get("device") in {"cpu", "nvme"}

    return stage, offloaded("offload_optimizer"), offloaded("offload_param") and stage == 3, where


def _quant_bytes(bits: int, double_quant: bool, method: str) -> tuple[float, str]:
    """Bytes per quantized weight, and a sentence saying how that was counted."""
    if method == "bnb" and bits == 8:
        return 1.0 + 4 / 4096, "8-bit LLM.int8 (bitsandbytes): 1 byte per weight plus row scales"
    if method == "bnb" and bits == 4:
        if double_quant:
            return 0.5 + 1 / 64 + 4 / (64 * 256), "4-bit NF4 with double quantization: ~0.52 bytes per weight"
        return 0.5 + 4 / 64, "4-bit NF4: 0.5 byte per weight plus an fp32 scale per 64 weights"
    if method == "bnb":
        method = "hqq"  # bitsandbytes only takes 4 and 8 bits: the trainer needs hqq for these
    return bits / 8 + 4 / 64, f"{bits}-bit {method}: {bits}/8 byte per weight plus a 16-bit scale and zero per 64"


def estimate_llm(config: dict[str, Any], base: Path | None = None, gpus: int = 1) -> Estimate:
    """Peak memory per GPU for the LLaMA-Factory training config ``config``."""
    base = base or Path.cwd()
    model = config.get("model_name_or_path")
    resolved = resolve_llm(model, base)
    est = Estimate(model=str(model), model_source=resolved.source, kind="llm", gpus=max(gpus, 1))
    if resolved.arch is None:
        est.known = False
        return est
    arch = resolved.arch
    notes = est.assumptions
    values = effective.llamafactory(config)
    method = values.typed("finetuning_type", str)
    stage = values.typed("stage", str)
    bits = values.typed("quantization_bit", int)
    double_quant = values.typed("double_quantization", bool)
    pure_bf16 = values.typed("pure_bf16", bool)
    fp16 = values.typed("fp16", bool)
    bf16 = values.typed("bf16", bool)
    use_dora = values.typed("use_dora", bool)
    rank = values.typed("lora_rank", int)
    batch = values.typed("per_device_train_batch_size", int)
    if not values.written("per_device_train_batch_size"):
        notes.append(f"per_device_train_batch_size not set: transformers' default {batch}")
    seq = max(values.typed("cutoff_len", int), 1)
    batch, rank = max(batch, 1), max(rank, 0)
    checkpointing = not values.typed("disable_gradient_checkpointing", bool)
    attn = values.typed("flash_attn", str)
    liger = values.typed("enable_liger_kernel", bool)
    optim = values.typed("optim", str).lower()
    fsdp = config.get("fsdp")
    zero, offload_opt, offload_param, ds_where = _deepspeed(config, base)
    if (isinstance(fsdp, str) and fsdp.strip()) or (isinstance(fsdp, list) and fsdp):
        text = fsdp if isinstance(fsdp, str) else " ".join(map(str, fsdp))
        zero = 3 if "full_shard" in text or "hybrid" in text else 2
        offload_opt = offload_param = "offload" in text
        ds_where = f"FSDP `{text}` (counted as ZeRO-{zero})"
    n = est.gpus
    if method not in {"lora", "oft", "freeze", "full"}:
        notes.append(f"finetuning_type {method!r} is not one the trainer knows: counted as LoRA")
        method = "lora"
    if method == "oft":
        notes.append("OFT counted like LoRA of the same rank (block-diagonal adapters of similar size)")
    if bits is not None and bits not in {2, 3, 4, 5, 6, 8}:
        notes.append(f"quantization_bit {bits} is not a width the trainer accepts: counted unquantized")
        bits = None
    if bits is not None and method in {"full", "freeze"}:
        notes.append(f"quantization_bit {bits} ignored: the trainer refuses it with finetuning_type {method}")
        bits = None
    notes.append(
        f"model from {resolved.source}: {arch.params / 1e9:.2f} B parameters, {arch.layers} layers, "
        f"hidden {arch.hidden}, vocabulary {arch.vocab}"
    )

    # Frozen/loaded weights.
    linear, other = arch.linear_params, arch.params - arch.linear_params
    if bits is not None:
        method_q = values.typed("quantization_method", str)
        per, what = _quant_bytes(bits, double_quant, method_q)
        weights = linear * per + other * 2
        notes.append(f"{what}; embeddings, head and norms stay 16-bit")
    else:
        weights = arch.params * 2.0
        notes.append("weights loaded in bf16/fp16 (2 bytes each), as LLaMA-Factory loads them")

    # Trainable parameters.
    train_bytes = 2 if pure_bf16 or (method == "full" and zero == 3) else 4
    adapter_inputs = 0  # per token, the input widths of the LoRA-wrapped layers (all layers together)
    if method in {"lora", "oft"}:
        target = _lora_target(values)
        mods, unknown = lora_modules(arch, target)
        if unknown:
            notes.append(f"lora_target names not matched to this architecture and not counted: {', '.join(unknown)}")
        if arch.experts and "all" in target.lower().split(","):
            notes.append(
                "MoE with `all`: transformers >= 5 (LLaMA-Factory 0.9.5's) fuses the routed experts and the router "
                "into plain parameters, not Linear layers, so only attention, dense and shared-expert layers are "
                "adapted (transformers 4.x adapted every expert)"
            )
        elif arch.experts:
            notes.append(
                "MoE expert projections named in lora_target: counted per expert; whether they are adapted depends "
                "on the peft release (transformers >= 5 fuses the experts, which older peft releases do not wrap)"
            )
        trainable = sum(rank * (i + o) * c for i, o, c in mods)
        if method == "lora":
            adapter_inputs = sum(i * c for i, _, c in mods)
        if use_dora:
            trainable += sum(o * c for _, o, c in mods)
        notes.append(
            f"LoRA rank {rank} on `{target}`: {trainable / 1e6:.1f} M parameters"
            + (" (+ DoRA magnitudes)" if use_dora else "")
        )
        extra_weights = trainable * train_bytes  # adapters are extra tensors on top of the base weights
    elif method == "freeze":
        layers = abs(values.typed("freeze_trainable_layers", int))
        trainable = min(layers, arch.layers) * arch.layer_params
        notes.append(f"freeze tuning: {min(layers, arch.layers)} decoder layers trainable")
        extra_weights = trainable * (train_bytes - 2)  # upcast copy replaces the 16-bit one
    else:
        trainable = arch.params
        extra_weights = trainable * (train_bytes - 2)
        if train_bytes == 4:
            notes.append("full tuning: trainable weights upcast to fp32 (LLaMA-Factory does so unless pure_bf16)")
    params = arch.params
    if resolved.multimodal is not None:
        trainable, extra, sizes = _multimodal(values, resolved, method, rank, use_dora, trainable, notes)
        params += sizes
        weights += sizes * 2.0  # the vision tower and projector load in 16 bits too
        extra_weights = (
            extra_weights + extra * train_bytes if method in {"lora", "oft"} else trainable * (train_bytes - 2)
        )
    est.params, est.trainable_params = params, trainable

    # Optimizer states per trainable parameter. Sharded full tuning with 16-bit weights
    # (ZeRO-3 / FSDP full shard) keeps an fp32 master copy and fp32 states in the optimizer:
    # 2 + 2 + 12 bytes per parameter, the 16 of unsharded mixed precision, only partitioned.
    master = zero == 3 and method == "full" and train_bytes == 2
    state_width = 4 if master else train_bytes
    dtype_name = "fp32" if master else "the parameter dtype"
    if _8BIT_OPTIMS.search(optim):
        state_bytes, optim_note = 2.0, f"`{optim}`: two 8-bit states per parameter"
    elif optim.startswith("sgd"):
        state_bytes, optim_note = 0.0, "SGD without momentum: no state"
    elif optim.startswith("adafactor"):
        state_bytes, optim_note = 0.1 * state_width, "Adafactor: factored second moment (~0.1 of a copy)"
    elif "lion" in optim:
        state_bytes, optim_note = float(state_width), f"`{optim}`: one state per parameter in {dtype_name}"
    else:
        state_bytes, optim_note = 2.0 * state_width, f"`{optim}`: two states per parameter in {dtype_name}"
    if any(values.typed(k, bool) for k in ("use_galore", "use_apollo", "use_badam", "use_adam_mini")):
        notes.append("GaLore/APOLLO/BAdam/Adam-mini reduce optimizer states; counted as plain AdamW (overestimate)")
    if master:
        state_bytes += 4.0
        optim_note += ", plus the fp32 master copy of the 16-bit weights"
    notes.append(optim_note)
    gradients = trainable * float(train_bytes)
    optimizer = trainable * state_bytes

    # Sharding across GPUs.
    if zero:
        notes.append(
            f"DeepSpeed ZeRO-{zero} over {n} GPU(s) from {ds_where}" + (", optimizer offloaded" if offload_opt else "")
        )
    if zero >= 1:
        optimizer = 0.0 if offload_opt else optimizer / n
    if zero >= 2:
        gradients /= n
    if zero == 3:
        if offload_param:
            weights, extra_weights = weights / arch.layers, extra_weights / arch.layers  # one layer gathered at a time
        else:
            weights, extra_weights = weights / n, extra_weights / n
    elif n > 1 and not zero:
        notes.append(f"{n} GPUs with data parallelism: each GPU holds a full copy")

    # Activations.
    act_bytes = 4 if not (bf16 or fp16 or pure_bf16) and method == "full" else 2
    tokens = batch * seq
    packing = effective.llamafactory_packs(values)
    notes.append(
        f"batch {batch} x cutoff_len {seq} tokens per micro-step "
        + ("(packed: always full)" if packing else "(the longest batch; shorter samples use less)")
    )
    ref_model = values["ref_model"]
    separate_ref = isinstance(ref_model, str) and bool(ref_model.strip())
    if stage in {"dpo", "kto", "rm", "ppo"}:
        tokens *= 2
        notes.append(f"stage {stage}: chosen and rejected sequences, twice the tokens")
        # LLaMA-Factory's use_ref_model (derived, not an option): DPO but for its reference-free
        # losses, and KTO always. A LoRA run disables its adapter instead of copying the model.
        reference = stage == "kto" or (stage == "dpo" and values.typed("pref_loss", str) not in ("orpo", "simpo"))
        if reference and method != "lora" and not separate_ref:
            weights *= 2
            notes.append("a frozen reference model copy")
    if separate_ref and stage in {"dpo", "kto", "ppo"}:
        ref = resolve_llm(ref_model, base).arch or arch
        ref_bits = values.typed("ref_model_quantization_bit", int)
        ref_per = _quant_bytes(ref_bits, True, "bnb")[0] if ref_bits in {4, 8} else 2.0
        weights += ref.linear_params * ref_per + (ref.params - ref.linear_params) * 2
        notes.append(f"separate reference model `{ref_model}` ({ref.params / 1e9:.2f} B parameters)")
    inter = arch.active_intermediate
    per_token_layer = (12 * arch.hidden + 4 * arch.q_dim + 4 * arch.kv_dim + 8 * inter) * act_bytes / 2
    eager = attn == "disabled"
    if eager:
        per_token_layer += 6 * arch.heads * seq
        notes.append("eager attention: the attention matrix is stored (quadratic in cutoff_len)")
    else:
        notes.append(f"flash_attn {attn}: SDPA/FlashAttention, no stored attention matrix")
    if bits is not None:
        per_token_layer += 2 * inter * act_bytes / 2  # dequantized temporaries of the widest projection
    full_layer = tokens * per_token_layer
    if checkpointing and values.typed("use_unsloth_gc", bool):
        activations = 2 * full_layer
        notes.append("Unsloth gradient checkpointing: layer inputs offloaded to CPU, one layer recomputed")
    elif checkpointing:
        activations = arch.layers * tokens * arch.hidden * act_bytes + 2 * full_layer
        notes.append("gradient checkpointing on (LLaMA-Factory's default): layer inputs kept, one layer recomputed")
    else:
        activations = arch.layers * full_layer
        notes.append("gradient checkpointing off: every layer's activations kept")
        if adapter_inputs and train_bytes == 4 and act_bytes == 2:
            # peft casts each wrapped layer's 16-bit input to its fp32 adapter weights' dtype and
            # autograd keeps that copy: 4 bytes per input value, in every layer (measured on an
            # H100: without it such runs peaked at 1.21-1.23x the estimate; with checkpointing
            # only the recomputed layer holds them and the estimate already matched, 0.92-0.99).
            activations += tokens * 4 * adapter_inputs
            notes.append("LoRA in fp32 on 16-bit activations: each wrapped layer keeps an fp32 copy of its input")
    if liger:
        notes.append("Liger fused cross-entropy: logits not materialised")
    else:
        activations += tokens * arch.vocab * 10.0  # bf16 logits, fp32 upcast, fp32 gradient
    overhead = CONTEXT_BYTES + FRAGMENTATION * (weights + extra_weights + gradients + optimizer + activations)
    notes.append("overhead: 0.5 GiB CUDA context and workspaces, plus 5 % allocator fragmentation")
    est.breakdown = {
        "weights": weights,
        "trainable": extra_weights,
        "gradients": gradients,
        "optimizer": optimizer,
        "activations": activations,
        "overhead": overhead,
    }
    if math.isnan(est.total_bytes):  # pragma: no cover - defensive
        est.known = False
    return est

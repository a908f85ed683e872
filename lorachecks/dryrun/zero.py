"""DeepSpeed ZeRO under `dry-run --nproc N`, run as the Hugging Face Trainer runs it.

The parent reads the training values the DeepSpeed file's "auto" entries come from
(``zero_args``, no torch). In each rank, transformers' own DeepSpeed integration fills the
file in and checks it against those values (``begin``: the same mismatches stop the run),
and stays registered while the model is built, so under ZeRO-3 transformers builds it
partitioned as it does for the trainer; ``initialize`` hands the model to
``deepspeed.initialize`` (DeepSpeed validates its config there: options it refuses stop the
run with its message), and ``train_steps`` runs the engine's own backward and step.
Reached only from a rank of the dry-run command.
"""

from __future__ import annotations

import json
import types
from typing import TYPE_CHECKING, Any

from lorachecks.core.records import record
from lorachecks.formats import effective

if TYPE_CHECKING:
    import torch

    from lorachecks.dryrun.config import Plan
    from lorachecks.dryrun.step import LossFn, StepResult


@record(slots=True)
class ZeroArgs:
    """The TrainingArguments values transformers fills a DeepSpeed file's "auto" entries from
    and compares its fixed entries with (the trainer's defaults where the config is silent)."""

    config: str  # the DeepSpeed JSON file, resolved from the launch directory
    world_size: int
    per_device_train_batch_size: int
    gradient_accumulation_steps: int
    learning_rate: float
    weight_decay: float
    max_grad_norm: float
    adam_beta1: float
    adam_beta2: float
    adam_epsilon: float
    fp16: bool
    bf16: bool
    warmup_steps: int


_READ = (
    ("per_device_train_batch_size", int),
    ("gradient_accumulation_steps", int),
    ("learning_rate", float),
    ("weight_decay", float),
    ("max_grad_norm", float),
    ("adam_beta1", float),
    ("adam_beta2", float),
    ("adam_epsilon", float),
    ("fp16", bool),
    ("bf16", bool),
    ("warmup_steps", int),
)


def zero_args(data: dict[str, Any], config: str, world_size: int) -> ZeroArgs:
    """The values from a LLaMA-Factory config (a mapping as the trainer reads it); a key the
    file leaves out takes LLaMA-Factory's default from its field data."""
    values = effective.llamafactory(data)
    found: dict[str, Any] = {}
    for name, kind in _READ:
        value = values[name]
        # lint has judged the types already; a value of another type keeps the default here
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            value = values.default(name)
        found[name] = value
    return ZeroArgs(config, world_size, **found)


def to_json(args: ZeroArgs) -> str:
    from lorachecks.core.records import asdict

    return json.dumps(asdict(args))


def from_json(text: str) -> ZeroArgs:
    return ZeroArgs(**json.loads(text))


def _training_values(args: ZeroArgs) -> types.SimpleNamespace:
    """What transformers reads from TrainingArguments while it processes the DeepSpeed file."""
    return types.SimpleNamespace(
        world_size=args.world_size,
        per_device_train_batch_size=args.per_device_train_batch_size,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        max_grad_norm=args.max_grad_norm,
        learning_rate=args.learning_rate,
        adam_beta1=args.adam_beta1,
        adam_beta2=args.adam_beta2,
        adam_epsilon=args.adam_epsilon,
        weight_decay=args.weight_decay,
        save_on_each_node=False,
        fp16=args.fp16,
        fp16_full_eval=False,
        bf16=args.bf16,
        bf16_full_eval=False,
        get_warmup_steps=lambda steps: args.warmup_steps,
    )


def begin(args: ZeroArgs) -> Any:
    """transformers' DeepSpeed config for the run, registered until the returned object is
    dropped (it holds itself in a weak reference): keep it alive until ``initialize``."""
    import deepspeed
    from deepspeed.runtime.config import DeepSpeedConfig
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig

    from lorachecks.dryrun.config import DryRunError

    # DeepSpeed's collectives over the rank's process group, as accelerate sets them up for
    # the trainer (ZeRO-3's partitioned build reads the world size from them)
    try:
        deepspeed.init_distributed()
    except RuntimeError as exc:  # on the CPU it compiles a shared-memory collective first
        raise DryRunError(
            "DR004",
            f"DeepSpeed cannot start on this device: {_lines(exc)[:300]}",
            "deepspeed",
            "on the CPU DeepSpeed compiles its collectives at start: it needs a C++ compiler (g++) and ninja",
        ) from None
    try:
        ds_config = HfTrainerDeepSpeedConfig(args.config)
        ds_config.trainer_config_process(_training_values(args))
        # DeepSpeed's own reading of the file now, not halfway through building the model
        # (ZeRO-3 reads it there): an option it refuses is reported at `deepspeed`
        DeepSpeedConfig(ds_config.config)
    except (ValueError, OSError, KeyError, TypeError, AssertionError) as exc:
        raise DryRunError("DR310", f"DeepSpeed refused the file: {_lines(exc)}", "deepspeed") from None
    return ds_config


def stage(ds_config: Any) -> int:
    return int(ds_config.get_value("zero_optimization.stage", 0) or 0)


def initialize(ds_config: Any, args: ZeroArgs, model: torch.nn.Module, steps: int) -> Any:
    """The DeepSpeed engine around ``model``: the trainer's optimizer unless the file names
    one (then DeepSpeed builds its own, as under the trainer)."""
    import deepspeed
    import torch

    from lorachecks.dryrun.config import DryRunError

    trainable = [p for p in model.parameters() if p.requires_grad]
    try:
        # the model-dependent "auto" entries (bucket sizes from hidden_size) and the mismatches
        ds_config.trainer_config_finalize(_training_values(args), model, steps)
        optimizer = None
        if "optimizer" not in ds_config.config:
            optimizer = torch.optim.AdamW(
                trainable,
                lr=args.learning_rate,
                betas=(args.adam_beta1, args.adam_beta2),
                eps=args.adam_epsilon,
                weight_decay=args.weight_decay,
            )
            # the trainer allows its own optimizer under ZeRO the same way
            ds_config.config["zero_allow_untested_optimizer"] = True
        engine, *_ = deepspeed.initialize(
            model=model, model_parameters=trainable, optimizer=optimizer, config=ds_config.config
        )
    except (ValueError, AssertionError, TypeError, KeyError, RuntimeError) as exc:
        raise DryRunError("DR310", f"DeepSpeed refused the file: {_lines(exc)}", "deepspeed") from None
    return engine


def held(engine: Any) -> tuple[int, int]:
    """(partitioned trainable tensors, trainable elements this rank holds): under ZeRO-3 a
    parameter keeps only its partition (``ds_tensor``); ZeRO-1/2 keep whole parameters and
    partition gradients and optimizer states."""
    partitioned = local = 0
    for param in engine.module.parameters():
        if not param.requires_grad:
            continue
        part = getattr(param, "ds_tensor", None)
        if part is not None:
            partitioned += 1
            local += part.numel()
        else:
            local += param.numel()
    return partitioned, local


def train_steps(engine: Any, plan: Plan, device: str, steps: int, loss_fn: LossFn) -> StepResult:
    """Forward, the engine's backward and step, ``steps`` times on one batch; gradients are
    checked whole (gathered from their partitions) after the first backward."""
    import functools
    import time

    from deepspeed.utils import safe_get_full_grad

    from lorachecks.dryrun.step import StepResult, check_gradients, guarded, sync

    result = StepResult()
    engine.train()
    for step in range(steps):
        sync(device)
        start = time.perf_counter()
        loss = guarded(lambda: loss_fn(engine), plan)
        guarded(functools.partial(engine.backward, loss), plan)
        if step == 0:
            result.grads = check_gradients(engine.module, safe_get_full_grad)
        guarded(engine.step, plan)
        sync(device)
        result.step_times.append(time.perf_counter() - start)
        result.losses.append(float(loss.detach().float()))
        if step == 0:
            norm = engine.get_global_grad_norm()
            result.grad_norm = None if norm is None else float(norm)
    if steps > 1:
        import torch

        with torch.no_grad():
            result.final_loss = float(guarded(lambda: loss_fn(engine), plan).detach().float())
    return result


def _lines(exc: BaseException) -> str:
    """DeepSpeed's and transformers' messages span lines (one per refused entry): kept, joined."""
    lines = [line.strip() for line in str(exc).strip().splitlines()]
    text = " ".join(line for line in lines if line and not line.startswith("For further information"))
    return (text or type(exc).__name__)[:600]

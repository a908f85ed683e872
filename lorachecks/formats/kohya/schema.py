"""The kohya sd-scripts / SD-Trainer training config (``--config_file``), flattened.

Fields come from the generated table in ``fields.py`` plus the arguments of the FLUX, SD3,
Lumina and DreamBooth/fine-tune scripts that SD-Trainer also writes. The validators below
reproduce sd-scripts' start-up checks (``verify_training_args`` and the scheduler/optimizer
set-up) and report through :func:`report` with their rule codes (LC311-LC323).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationInfo, create_model, model_validator
from typing_extensions import Self

from lorachecks.diagnostics import Severity
from lorachecks.formats.kohya.fields import FIELDS
from lorachecks.formats.kohya.network_args import LYCORIS_ALGOS, NETWORK_ARGS, problems, split_items
from lorachecks.formats.kohya.resolution import named_sdxl, parse_resolution
from lorachecks.formats.validation import report

WARN = Severity.WARNING

# Arguments of the other sd-scripts training scripts SD-Trainer drives (flux/sd3/lumina
# LoRA, DreamBooth and fine-tuning): name -> kind.
EXTRA_FIELDS: dict[str, str] = {
    "ae": "str",
    "clip_l": "str",
    "clip_g": "str",
    "t5xxl": "str",
    "gemma2": "str",
    "model_type": "str",
    "timestep_sampling": "str",
    "sigmoid_scale": "float",
    "model_prediction_type": "str",
    "discrete_flow_shift": "float",
    "guidance_scale": "float",
    "t5xxl_max_token_length": "int",
    "train_t5xxl": "bool",
    "apply_t5_attn_mask": "bool",
    "use_flash_attn": "bool",
    "cfg_trunc": "float",
    "renorm_cfg": "float",
    "system_prompt": "str",
    "blocks_to_swap": "int",
    "weighting_scheme": "str",
    "logit_mean": "float",
    "logit_std": "float",
    "mode_scale": "float",
    "learning_rate_te": "float",
    "learning_rate_te1": "float",
    "learning_rate_te2": "float",
    "stop_text_encoder_training": "int",
    "no_token_padding": "bool",
    "train_text_encoder": "bool",
}
# Overrides where the TOML value is not the argparse type.
_SPECIAL: dict[str, Any] = {
    # `resume = false` is common in published configs; sd-scripts only tests truthiness.
    "resume": str | bool | None,
}
SCHEDULERS = (
    "linear cosine cosine_with_restarts polynomial constant constant_with_warmup inverse_sqrt "
    "reduce_lr_on_plateau cosine_with_min_lr cosine_warmup_with_min_lr warmup_stable_decay piecewise_constant "
    "adafactor"
).split()
# sd-scripts' own optimizer names, then torch.optim classes it falls back to (case-insensitive).
OPTIMIZERS = (
    "AdamW AdamW8bit PagedAdamW PagedAdamW8bit PagedAdamW32bit Lion Lion8bit PagedLion8bit SGDNesterov "
    "SGDNesterov8bit DAdaptation DAdaptAdamPreprint DAdaptAdaGrad DAdaptAdam DAdaptAdan DAdaptAdanIP DAdaptLion "
    "DAdaptSGD Prodigy AdaFactor RAdamScheduleFree AdamWScheduleFree SGDScheduleFree "
    "Adam SGD RMSprop Adagrad Adadelta Adamax NAdam RAdam ASGD LBFGS Rprop SparseAdam"
).split()
_POSITIVE_INT = frozenset(
    {
        "train_batch_size",
        "gradient_accumulation_steps",
        "network_dim",
        "max_train_epochs",
        "max_train_steps",
        "bucket_reso_steps",
        "min_bucket_reso",
        "max_bucket_reso",
        "vae_batch_size",
        "save_every_n_epochs",
        "save_every_n_steps",
    }
)
_NON_NEGATIVE = frozenset(
    {"learning_rate", "unet_lr", "max_data_loader_n_workers", "keep_tokens", "clip_skip", "lr_warmup_steps"}
)


def _annotation(name: str, kind: str, choices: tuple[object, ...] = ()) -> Any:
    if name in _SPECIAL:
        return _SPECIAL[name]
    if choices:  # offered to editors as examples, never enforced (LC105 judges them)
        listed: list[JsonValue] = [c for c in choices if isinstance(c, (str, int))]
        return Annotated[_annotation(name, kind) | None, Field(json_schema_extra={"examples": listed})]
    # No Literal for `choices`: argparse does not check them for config-file values
    # (read_config_from_file); LC105 says what each out-of-choice value does (choices.py).
    base: Any = {
        "str": str,
        "bool": bool,
        "int": int,
        "float": float,
        "str_list": list[str],
        "float_or_list": float | list[float],
    }[kind]
    if name in _POSITIVE_INT:
        base = Annotated[int, Field(ge=1)]
    elif name in _NON_NEGATIVE:
        base = Annotated[base, Field(ge=0)]
    return base | None if kind != "bool" else bool


class KohyaBase(BaseModel):
    """Cross-field checks shared by every generated kohya model."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    def get(self, name: str) -> Any:
        return getattr(self, name, None)

    @classmethod
    def editor_layout(cls, options: dict[str, Any]) -> dict[str, Any]:
        """The JSON Schema shape of the file as people write it: options at the top level or
        inside tables of any name (``[model_arguments]``, ``[network]``...), which sd-scripts
        flattens one level deep before reading them. Unknown keys stay allowed: sd-scripts
        ignores them (lint warns, LC101), and a schema can only say "error"."""
        # No "type": `properties` constrains a table, and an unknown top-level scalar passes.
        section = {
            "description": "A table of options: sd-scripts reads the keys of every table as if they were "
            "written at the top level, whatever the table is called.",
            "properties": options,
        }
        return {"type": "object", "properties": options, "additionalProperties": section}

    def is_set(self, name: str) -> bool:
        return name in self.model_fields_set

    @property
    def resolution_pair(self) -> tuple[int, int] | None:
        return parse_resolution(self.get("resolution")) if self.get("resolution") is not None else None

    @property
    def sdxl(self) -> bool:
        return named_sdxl(self.get("pretrained_model_name_or_path"))

    @model_validator(mode="after")
    def _resolution(self, info: ValidationInfo) -> Self:
        value = self.get("resolution")
        if value is None:
            return self
        pair = parse_resolution(value)
        if pair is None:
            report(
                info,
                "LC311",
                "resolution",
                f'`resolution` {value!r} is not "W" or "W,H": sd-scripts stops reading it',
                'write `resolution = "512"` or `resolution = "768,512"`',
            )
        elif min(pair) <= 0:
            report(info, "LC311", "resolution", f"`resolution` {value!r} must be positive")
        elif pair[0] % 64 or pair[1] % 64:
            report(
                info,
                "LC311",
                "resolution",
                f"`resolution` {value!r} is not a multiple of 64: images are cropped to other sizes than you expect",
                "use 512, 768 or 1024 (or another multiple of 64)",
                WARN,
            )
        return self

    @model_validator(mode="after")
    def _buckets(self, info: ValidationInfo) -> Self:
        steps = self.get("bucket_reso_steps") or 64
        low = self.get("min_bucket_reso") or 256
        high = self.get("max_bucket_reso") or 1024
        pair = self.resolution_pair
        if self.get("enable_bucket") and pair is not None and min(pair) > 0:
            if low > min(pair):
                report(
                    info,
                    "LC312",
                    "min_bucket_reso" if self.is_set("min_bucket_reso") else "resolution",
                    f"`min_bucket_reso` {low} is larger than the resolution's smaller side {min(pair)}:"
                    " sd-scripts refuses it",
                    f"set `min_bucket_reso` to {min(pair)} or less",
                )
            if high < max(pair):
                report(
                    info,
                    "LC312",
                    "max_bucket_reso" if self.is_set("max_bucket_reso") else "resolution",
                    f"`max_bucket_reso` {high} is smaller than the resolution's larger side {max(pair)}:"
                    " sd-scripts refuses it",
                    f"set `max_bucket_reso` to {max(pair)} or more",
                )
        if self.is_set("bucket_reso_steps") and isinstance(steps, int) and steps > 0:
            unit = 32 if self.sdxl else 64
            if steps % unit:
                report(
                    info,
                    "LC312",
                    "bucket_reso_steps",
                    f"`bucket_reso_steps` {steps} is not divisible by {unit}: buckets do not match the"
                    f" {'SDXL' if self.sdxl else 'SD'} latent grid",
                    f"use {unit} or a multiple of it",
                    WARN,
                )
            for key, value in (("min_bucket_reso", low), ("max_bucket_reso", high)):
                if self.is_set(key) and isinstance(value, int) and value % steps:
                    report(
                        info,
                        "LC312",
                        key,
                        f"`{key}` {value} is not a multiple of `bucket_reso_steps` {steps}",
                        None,
                        WARN,
                    )
        return self

    @model_validator(mode="after")
    def _caching(self, info: ValidationInfo) -> Self:
        if self.get("cache_latents"):
            for key in ("color_aug", "random_crop"):
                if self.get(key):
                    report(
                        info,
                        "LC313",
                        key,
                        f"`{key}` cannot be used with `cache_latents`: cached latents are computed once,"
                        " so sd-scripts refuses the augmentation",
                        "turn off `cache_latents` or the augmentation",
                    )
        if self.get("cache_text_encoder_outputs"):
            for key in ("shuffle_caption", "caption_dropout_rate", "caption_tag_dropout_rate"):
                if self.get(key):
                    report(
                        info,
                        "LC313",
                        key,
                        f"`{key}` cannot be used with `cache_text_encoder_outputs`: the captions are encoded"
                        " once, so sd-scripts refuses it",
                        "turn off `cache_text_encoder_outputs` or the caption option",
                    )
        return self

    @model_validator(mode="after")
    def _precision(self, info: ValidationInfo) -> Self:
        mixed = self.get("mixed_precision") or "no"
        if self.get("full_fp16") and self.get("full_bf16"):
            report(info, "LC314", "full_bf16", "`full_fp16` and `full_bf16` cannot both be on")
        if self.get("full_fp16") and mixed != "fp16":
            report(
                info,
                "LC314",
                "full_fp16",
                f'`full_fp16` needs `mixed_precision = "fp16"` (it is "{mixed}"): sd-scripts refuses it',
                'set `mixed_precision = "fp16"`',
            )
        if self.get("full_bf16") and mixed != "bf16":
            report(
                info,
                "LC314",
                "full_bf16",
                f'`full_bf16` needs `mixed_precision = "bf16"` (it is "{mixed}"): sd-scripts refuses it',
                'set `mixed_precision = "bf16"`',
            )
        if self.get("fp8_base") and mixed not in ("fp16", "bf16"):
            report(
                info,
                "LC314",
                "fp8_base",
                f'`fp8_base` needs `mixed_precision` "fp16" or "bf16" (it is "{mixed}")',
                'set `mixed_precision = "bf16"`',
            )
        return self

    @model_validator(mode="after")
    def _fused_backward(self, info: ValidationInfo) -> Self:
        if not self.get("fused_backward_pass"):
            return self
        optimizer = (self.get("optimizer_type") or "AdamW").lower()
        if optimizer != "adafactor":
            report(
                info,
                "LC315",
                "fused_backward_pass",
                f"`fused_backward_pass` only works with the Adafactor optimizer (optimizer_type is"
                f" {self.get('optimizer_type') or 'AdamW (default)'!r})",
                'set `optimizer_type = "AdaFactor"` or turn off `fused_backward_pass`',
            )
        accumulation = self.get("gradient_accumulation_steps") or 1
        if accumulation > 1:
            report(
                info,
                "LC315",
                "fused_backward_pass",
                f"`fused_backward_pass` cannot be used with gradient accumulation (gradient_accumulation_steps"
                f" = {accumulation})",
                "set `gradient_accumulation_steps = 1`",
            )
        return self

    @model_validator(mode="after")
    def _scheduler(self, info: ValidationInfo) -> Self:
        scheduler = str(self.get("lr_scheduler") or "constant")
        warmup = self.get("lr_warmup_steps")
        name = scheduler.split(":")[0].lower()
        if warmup and name in ("constant", "adafactor"):
            report(
                info,
                "LC316",
                "lr_warmup_steps",
                f"`lr_scheduler` {scheduler!r} takes no warmup, but `lr_warmup_steps` is {warmup:g}: sd-scripts stops"
                " ('does not require num_warmup_steps')",
                'use `lr_scheduler = "constant_with_warmup"`, or set `lr_warmup_steps = 0`',
            )
        optimizer = (self.get("optimizer_type") or "AdamW").lower()
        if name == "adafactor" and optimizer != "adafactor":
            report(
                info,
                "LC316",
                "lr_scheduler",
                "`lr_scheduler` adafactor needs `optimizer_type` AdaFactor",
                'set `optimizer_type = "AdaFactor"` or pick another scheduler',
            )
        return self

    @model_validator(mode="after")
    def _names(self, info: ValidationInfo) -> Self:
        from lorachecks.suggest import closest

        scheduler = self.get("lr_scheduler")
        if isinstance(scheduler, str) and scheduler and not self.get("lr_scheduler_type"):
            name = scheduler.split(":")[0]
            if name not in SCHEDULERS:
                guess = closest(name, SCHEDULERS, cutoff=0.6)
                report(
                    info,
                    "LC105",
                    "lr_scheduler",
                    f"`lr_scheduler` {scheduler!r} is not a scheduler sd-scripts knows"
                    + ("" if guess else f" (known: {', '.join(SCHEDULERS)})"),
                    f"did you mean `{guess}`?" if guess else "or name a class with `lr_scheduler_type`",
                    None if guess else WARN,
                )
        optimizer = self.get("optimizer_type")
        if isinstance(optimizer, str) and optimizer and "." not in optimizer:
            lowered = {o.lower(): o for o in OPTIMIZERS}
            if optimizer.lower() not in lowered:
                guess = closest(optimizer.lower(), lowered, cutoff=0.7)
                report(
                    info,
                    "LC105",
                    "optimizer_type",
                    f"`optimizer_type` {optimizer!r} is neither an sd-scripts optimizer nor a torch.optim class",
                    f"did you mean `{lowered[guess]}`?" if guess else "give a dotted path such as `pkg.module.Class`",
                    None if guess else WARN,
                )
        return self

    @model_validator(mode="after")
    def _noise(self, info: ValidationInfo) -> Self:
        if self.get("adaptive_noise_scale") is not None and self.get("noise_offset") is None:
            report(
                info,
                "LC317",
                "adaptive_noise_scale",
                "`adaptive_noise_scale` needs `noise_offset`: sd-scripts refuses it alone",
                "set `noise_offset` (e.g. 0.05) or remove `adaptive_noise_scale`",
            )
        # noise_offset with multires_noise_iterations: both apply (get_noise_noisy_latents_and_timesteps);
        # verify_training_args' refusal has been commented out since 2023-08.
        for flag, base in (
            ("noise_offset_random_strength", "noise_offset"),
            ("ip_noise_gamma_random_strength", "ip_noise_gamma"),
        ):
            if self.get(flag) and self.get(base) is None:
                report(info, "LC317", flag, f"`{flag}` does nothing without `{base}`", f"set `{base}`", WARN)
        return self

    @model_validator(mode="after")
    def _logging(self, info: ValidationInfo) -> Self:
        log_with = self.get("log_with")
        if log_with in ("tensorboard", "all") and not self.get("logging_dir"):
            report(
                info,
                "LC318",
                "log_with",
                f'`log_with = "{log_with}"` needs `logging_dir`: sd-scripts stops ("logging_dir is required")',
                'set `logging_dir = "./logs"`',
            )
        return self

    @model_validator(mode="after")
    def _v2(self, info: ValidationInfo) -> Self:
        if self.get("v2") and self.sdxl:
            report(
                info,
                "LC319",
                "v2",
                "`v2 = true` with an SDXL base model: v2 means Stable Diffusion 2.x, and the SDXL scripts refuse it",
                "remove `v2` for SDXL models",
            )
        return self

    @model_validator(mode="after")
    def _arg_lists(self, info: ValidationInfo) -> Self:
        for option, literal in (("network_args", False), ("optimizer_args", True), ("lr_scheduler_args", True)):
            values = self.get(option)
            if not isinstance(values, list):
                continue
            for problem in problems(option, values, literal):
                report(info, "LC320", (option, problem.index), problem.message, problem.hint)
        return self

    @model_validator(mode="after")
    def _network_args(self, info: ValidationInfo) -> Self:
        module = self.get("network_module")
        values = self.get("network_args")
        if not isinstance(values, list) or module not in NETWORK_ARGS:
            return self
        allowed = NETWORK_ARGS[module]
        from lorachecks.suggest import closest

        for index, key, value in split_items(values):
            if key not in allowed:
                guess = closest(key, allowed)
                report(
                    info,
                    "LC321",
                    ("network_args", index),
                    f"`network_args` key `{key}` is not read by {module}: it is silently ignored",
                    f"did you mean `{guess}`?" if guess else f"{module} reads: {', '.join(sorted(allowed))}",
                )
            elif module == "lycoris.kohya" and key == "algo" and value.strip().lower() not in LYCORIS_ALGOS:
                report(
                    info,
                    "LC321",
                    ("network_args", index),
                    f"LyCORIS has no algo {value!r}; valid: {', '.join(LYCORIS_ALGOS)}",
                    None,
                    Severity.ERROR,
                )
        return self

    @model_validator(mode="after")
    def _alpha(self, info: ValidationInfo) -> Self:
        dim = self.get("network_dim")
        if isinstance(dim, int) and dim > 1 and not self.is_set("network_alpha"):
            report(
                info,
                "LC325",
                "network_dim",
                f"`network_alpha` is not set, so sd-scripts uses 1: the LoRA update is scaled by 1/{dim}, as if"
                f" the learning rate were {dim} times lower",
                f"set `network_alpha` explicitly (e.g. {dim // 2} or {dim})",
            )
        return self

    @model_validator(mode="after")
    def _dataset_tables(self, info: ValidationInfo) -> Self:
        if self.get("datasets") is not None or self.get("subsets") is not None:
            key = "datasets" if self.get("datasets") is not None else "subsets"
            report(
                info,
                "LC323",
                key,
                f"`[[{key}]]` tables in a training config are ignored: sd-scripts reads datasets only from"
                " --dataset_config",
                "move the [general]/[[datasets]] tables into a separate dataset config and pass"
                ' --dataset_config (or set `dataset_config = "dataset.toml"`)',
            )
        return self


def _build() -> type[KohyaBase]:
    fields: dict[str, Any] = {}
    for name, (kind, choices) in FIELDS.items():
        fields[name] = (_annotation(name, kind, choices), False if kind == "bool" else None)
    for name, kind in EXTRA_FIELDS.items():
        fields.setdefault(name, (_annotation(name, kind), False if kind == "bool" else None))
    # Tables sd-scripts drops from a --config_file (LC323 explains); known so LC101 stays quiet.
    fields["datasets"] = (Any, None)
    fields["subsets"] = (Any, None)
    model: type[KohyaBase] = create_model("KohyaConfig", __base__=KohyaBase, **fields)
    model.__doc__ = "A kohya sd-scripts / SD-Trainer training config (flattened tables)."
    return model


KohyaConfig = _build()

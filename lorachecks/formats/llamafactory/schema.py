"""The LLaMA-Factory train config: every argument plus the start-up rules between them.

Fields come from the per-dataclass models in ``fields/``. The validators below reproduce
the checks LLaMA-Factory (and transformers' ``TrainingArguments``) run when a job starts,
grouped by concern; each reports through :func:`report` with its rule code:
LC103 (required for this job), LC301 (the trainer refuses the combination) and LC302 (the
trainer accepts it but it does not do what the config suggests).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, model_validator
from typing_extensions import Self

from lorachecks.diagnostics import Severity
from lorachecks.formats.llamafactory.fields import (
    DataArgs,
    FinetuningArgs,
    GeneratingArgs,
    KTransformersRuntimeArgs,
    MegatronBridgeArgs,
    ModelArgs,
    TrainingArgs,
)
from lorachecks.formats.validation import report

WARN = Severity.WARNING
INFO = Severity.INFO
# Templates whose EOS handling cannot mask the prompt (LLaMA-Factory `efficient_eos`).
EFFICIENT_EOS_TEMPLATES = frozenset(
    "bailing bailing_v2 breeze chatglm3 dots_ocr falcon fewshot gemma2 glm4 glm4_moe glm4v "
    "glm4_5v glm_ocr glm4_7 glmz1 gpt_oss index hy_dense_1_8b hy_dense_7b solar yi_vl aeva".split()
)
# Optimizers GaLore accepts; the transformers default (adamw_torch_fused) is not one.
GALORE_OPTIMS = frozenset({"adamw_torch", "adamw_bnb_8bit", "adamw_8bit", "paged_adamw_8bit", "adafactor"})


class LlamaFactoryConfig(
    ModelArgs,
    DataArgs,
    TrainingArgs,
    FinetuningArgs,
    GeneratingArgs,
    MegatronBridgeArgs,
    KTransformersRuntimeArgs,
):
    """A config for `llamafactory-cli train` (and chat/export, which read a subset)."""

    def is_set(self, *names: str) -> bool:
        return any(n in self.model_fields_set for n in names)

    @property
    def evaluates(self) -> bool:
        # transformers turns do_eval on whenever an eval strategy is set.
        return self.do_eval or self.eval_strategy != "no" or self.do_predict or self.predict_with_generate

    @property
    def datasets(self) -> list[str]:
        items = self.dataset.split(",") if isinstance(self.dataset, str) else (self.dataset or [])
        return [d.strip() for d in items if d.strip()]

    # --- what a job needs -------------------------------------------------------------
    @model_validator(mode="after")
    def _required(self, info: ValidationInfo) -> Self:
        if self.model_name_or_path is None:
            report(
                info,
                "LC103",
                "model_name_or_path",
                "`model_name_or_path` is required: the trainer stops with 'Please provide model_name_or_path'",
                "set it to a local model folder or a hub id such as `Qwen/Qwen3-4B`",
            )
        if self.do_train and self.dataset is None:
            report(
                info,
                "LC103",
                "dataset",
                "`do_train: true` needs `dataset`: the trainer stops with 'Please specify dataset for training'",
                "name datasets from dataset_info.json, e.g. `dataset: alpaca_en_demo`",
            )
        if self.do_train and self.output_dir is None:
            report(
                info,
                "LC103",
                "output_dir",
                "no `output_dir`: checkpoints go to ./trainer_output (transformers' default)",
                "set `output_dir` so runs do not overwrite each other",
                WARN,
            )
        if self.stage == "ppo" and self.reward_model is None:
            report(
                info,
                "LC103",
                "reward_model",
                "PPO training needs `reward_model`",
                "point `reward_model` at a reward model or adapter",
            )
        if self.export_quantization_bit is not None and self.export_quantization_dataset is None:
            report(
                info,
                "LC103",
                "export_quantization_bit",
                "quantized export needs `export_quantization_dataset`",
                "give a calibration dataset file",
            )
        reporters = [self.report_to] if isinstance(self.report_to, str) else self.report_to or []
        if "trackio" in reporters and not self.project:
            report(info, "LC103", "report_to", "Trackio logging needs `project`", "set `project: my-project`")
        return self

    # --- precision ----------------------------------------------------------------------
    @model_validator(mode="after")
    def _precision(self, info: ValidationInfo) -> Self:
        if self.fp16 and self.bf16:
            report(
                info,
                "LC301",
                "bf16",
                "`fp16` and `bf16` are both true: transformers accepts at most one",
                "keep `bf16: true` on Ampere or newer GPUs, `fp16: true` on older ones",
            )
        if self.fp16_full_eval and self.bf16_full_eval:
            report(
                info,
                "LC301",
                "bf16_full_eval",
                "`fp16_full_eval` and `bf16_full_eval` are both true",
                "keep one of them",
            )
        if self.fp8 and self.quantization_bit is not None:
            report(
                info,
                "LC301",
                "fp8",
                "FP8 training cannot be combined with `quantization_bit`",
                "remove one of `fp8` and `quantization_bit`",
            )
        if self.fp8_enable_fsdp_float8_all_gather and not self.fp8:
            report(
                info,
                "LC302",
                "fp8_enable_fsdp_float8_all_gather",
                "`fp8_enable_fsdp_float8_all_gather` silently turns `fp8` on",
                "set `fp8: true` explicitly",
                WARN,
            )
        if self.do_train and not (self.fp16 or self.bf16 or self.pure_bf16):
            report(
                info,
                "LC302",
                "do_train",
                "training in full fp32: no `bf16`, `fp16` or `pure_bf16`",
                "set `bf16: true` (Ampere or newer) or `fp16: true` to halve activation memory",
                INFO,
            )
        return self

    # --- fine-tuning method -------------------------------------------------------------
    @model_validator(mode="after")
    def _method(self, info: ValidationInfo) -> Self:
        lora_only = ("loraplus_lr_ratio", "use_rslora", "use_dora", "pissa_init")
        if self.finetuning_type != "lora":
            for name in lora_only:
                if self.is_set(name) and getattr(self, name) not in (None, False):
                    report(
                        info,
                        "LC301",
                        name,
                        f"`{name}` only works with `finetuning_type: lora` (this config uses `{self.finetuning_type}`)",
                        "remove it or switch to LoRA",
                    )
            if self.adapter_name_or_path is not None:
                report(
                    info,
                    "LC301",
                    "adapter_name_or_path",
                    "`adapter_name_or_path` only works with `finetuning_type: lora`",
                    "remove it or switch to LoRA",
                )
        if self.use_llama_pro and self.finetuning_type == "full":
            report(info, "LC301", "use_llama_pro", "`use_llama_pro` only works with freeze or LoRA training")
        optimizers = [n for n in ("use_galore", "use_apollo", "use_badam") if getattr(self, n)]
        if optimizers and self.finetuning_type == "lora":
            report(
                info,
                "LC301",
                optimizers[0],
                "GaLore, APOLLO and BAdam cannot be combined with LoRA",
                "use `finetuning_type: full` with these optimizers",
            )
        if len(optimizers) > 1:
            report(
                info,
                "LC301",
                optimizers[1],
                f"{' and '.join(optimizers)} cannot be used together",
                "keep one memory-efficient optimizer",
            )
        if (self.use_galore or self.use_apollo) and self.deepspeed is not None:
            report(
                info,
                "LC301",
                "deepspeed",
                "GaLore and APOLLO do not work with DeepSpeed",
                "drop `deepspeed` or the optimizer",
            )
        if (self.use_galore or self.use_apollo) and "optim" not in self.model_fields_set:
            report(
                info,
                "LC302",
                "use_galore" if self.use_galore else "use_apollo",
                "GaLore/APOLLO rely on the default `optim`, which is `adamw_torch_fused` with torch >= 2.8 and is rejected ('Unknown optim')",
                "set `optim: adamw_torch`",
                WARN,
            )
        elif self.use_galore and self.optim not in GALORE_OPTIMS:
            report(
                info,
                "LC301",
                "optim",
                f"GaLore does not support `optim: {self.optim}`",
                f"use one of {', '.join(sorted(GALORE_OPTIMS))}",
            )
        if self.use_apollo and self.is_set("optim") and self.optim != "adamw_torch":
            report(
                info,
                "LC301",
                "optim",
                f"APOLLO only supports `optim: adamw_torch` (got `{self.optim}`)",
                "set `optim: adamw_torch`",
            )
        if self.stage == "dpo" and self.pref_loss != "sigmoid" and self.dpo_label_smoothing > 1e-6:
            report(info, "LC301", "dpo_label_smoothing", "`dpo_label_smoothing` only applies to `pref_loss: sigmoid`")
        uses_ref_model = self.stage == "dpo" and self.pref_loss not in ("orpo", "simpo")
        if self.pissa_init and (self.stage in ("ppo", "kto") or uses_ref_model):
            report(info, "LC301", "pissa_init", f"PiSSA initialisation cannot be used for stage `{self.stage}` here")
        if self.init_special_tokens != "noise_init" and self.new_special_tokens_config is None:
            report(
                info,
                "LC302",
                "init_special_tokens",
                f"`init_special_tokens: {self.init_special_tokens}` needs `new_special_tokens_config`; the trainer falls back to noise_init",
                "add `new_special_tokens_config` or drop the setting",
                WARN,
            )
        if self.finetuning_type == "lora" and self.resize_vocab and not self.additional_target:
            report(
                info,
                "LC302",
                "resize_vocab",
                "with LoRA, resized embeddings stay frozen unless listed in `additional_target`",
                "add `additional_target: embed_tokens,lm_head`",
                WARN,
            )
        return self

    # --- quantization -------------------------------------------------------------------
    @model_validator(mode="after")
    def _quantization(self, info: ValidationInfo) -> Self:
        if self.quantization_bit is None:
            return self
        if self.finetuning_type not in ("lora", "oft"):
            report(
                info,
                "LC301",
                "quantization_bit",
                f"`quantization_bit` only works with LoRA or OFT (this config uses `finetuning_type: {self.finetuning_type}`)",
                "use `finetuning_type: lora` for QLoRA, or drop `quantization_bit`",
            )
        if self.quantization_method == "bnb" and self.quantization_bit not in (4, 8):
            report(
                info,
                "LC301",
                "quantization_bit",
                f"bitsandbytes only quantizes to 4 or 8 bits (got {self.quantization_bit})",
                "use 4 or 8, or `quantization_method: hqq`",
            )
        if self.pissa_init:
            report(
                info,
                "LC301",
                "pissa_init",
                "PiSSA cannot be initialised on a quantized model here",
                "run scripts/pissa_init.py first",
            )
        if self.resize_vocab:
            report(info, "LC301", "resize_vocab", "embeddings of a quantized model cannot be resized")
        adapters = [a for a in (self.adapter_name_or_path or "").split(",") if a.strip()]
        if len(adapters) > 1:
            report(
                info,
                "LC301",
                "adapter_name_or_path",
                "a quantized model accepts a single adapter",
                "merge the adapters first",
            )
        if adapters and self.create_new_adapter:
            report(info, "LC301", "create_new_adapter", "cannot create a new adapter on a quantized model")
        if self.do_train and self.quantization_device_map == "auto":
            report(
                info, "LC301", "quantization_device_map", "`quantization_device_map: auto` cannot be used for training"
            )
        return self

    # --- data ---------------------------------------------------------------------------
    @model_validator(mode="after")
    def _data(self, info: ValidationInfo) -> Self:
        if self.dataset is None and self.val_size > 1e-6:
            report(info, "LC301", "val_size", "`val_size` needs `dataset` to split from")
        if self.eval_dataset is not None and self.val_size > 1e-6:
            report(
                info,
                "LC301",
                "val_size",
                "`val_size` and `eval_dataset` cannot both be set",
                "keep one way of choosing evaluation data",
            )
        if self.interleave_probs is not None:
            probs = [p for p in self.interleave_probs.split(",") if p.strip()]
            if self.mix_strategy == "concat":
                report(
                    info, "LC301", "interleave_probs", "`interleave_probs` only applies to interleaved `mix_strategy`"
                )
            elif len(probs) != len(self.datasets):
                report(
                    info,
                    "LC301",
                    "interleave_probs",
                    f"{len(probs)} interleave probabilities for {len(self.datasets)} datasets",
                )
        if self.streaming and 1e-6 < self.val_size < 1:
            report(info, "LC301", "val_size", "in streaming mode `val_size` must be a sample count (an integer)")
        if self.streaming and self.max_samples is not None:
            report(info, "LC301", "max_samples", "`max_samples` cannot be used with `streaming`")
        if self.streaming and self.max_steps == -1:
            report(info, "LC301", "streaming", "streaming needs `max_steps` (the dataset length is unknown)")
        if self.mask_history and self.train_on_prompt:
            report(info, "LC301", "mask_history", "`mask_history` cannot be combined with `train_on_prompt`")
        if self.train_on_prompt and self.template in EFFICIENT_EOS_TEMPLATES:
            report(info, "LC301", "train_on_prompt", f"template `{self.template}` does not support `train_on_prompt`")
        if self.image_max_pixels < self.image_min_pixels:
            report(info, "LC301", "image_max_pixels", "`image_max_pixels` is smaller than `image_min_pixels`")
        if self.video_max_pixels < self.video_min_pixels:
            report(info, "LC301", "video_max_pixels", "`video_max_pixels` is smaller than `video_min_pixels`")
        if self.template is None and self.do_train and self.stage != "pt":
            report(
                info,
                "LC302",
                "template",
                "no `template`: the chat template is taken from the tokenizer (or `empty`)",
                "set the model's template, e.g. `template: qwen3_nothink`; use `default` for base models",
                INFO,
            )
        return self

    # --- stages -------------------------------------------------------------------------
    @model_validator(mode="after")
    def _stage(self, info: ValidationInfo) -> Self:
        if self.stage != "sft":
            for name in ("predict_with_generate", "neat_packing", "train_on_prompt", "mask_history"):
                if getattr(self, name):
                    report(info, "LC301", name, f"`{name}` is only allowed with `stage: sft` (this is `{self.stage}`)")
        elif self.do_predict and not self.predict_with_generate:
            report(info, "LC301", "do_predict", "`do_predict` in SFT needs `predict_with_generate: true`")
        if self.stage in ("rm", "ppo") and self.load_best_model_at_end:
            report(
                info,
                "LC301",
                "load_best_model_at_end",
                f"stage `{self.stage}` does not support `load_best_model_at_end`",
            )
        if self.stage == "ppo":
            if not self.do_train:
                report(info, "LC301", "stage", "PPO only trains; evaluate with the SFT stage")
            if self.shift_attn:
                report(info, "LC301", "shift_attn", "PPO cannot use S^2-Attn (`shift_attn`)")
            reporters = [self.report_to] if isinstance(self.report_to, str) else self.report_to or []
            if any(r not in ("wandb", "tensorboard", "trackio", "none") for r in reporters):
                report(info, "LC301", "report_to", "PPO only logs to wandb, tensorboard or trackio")
        if self.predict_with_generate and self.compute_accuracy:
            report(
                info, "LC301", "compute_accuracy", "`compute_accuracy` cannot be combined with `predict_with_generate`"
            )
        if self.do_train and self.infer_backend != "huggingface":
            report(
                info,
                "LC301",
                "infer_backend",
                f"`infer_backend: {self.infer_backend}` is for chat/API only, not training",
                "remove it from the train config",
            )
        return self

    # --- evaluation, logging and saving schedule ----------------------------------------
    @model_validator(mode="after")
    def _schedule(self, info: ValidationInfo) -> Self:
        if self.evaluates and self.eval_dataset is None and self.val_size < 1e-6:
            key = "eval_strategy" if self.is_set("eval_strategy") else "do_eval" if self.do_eval else "do_predict"
            report(
                info,
                "LC301",
                key,
                "evaluation is on but there is no evaluation data",
                "set `val_size: 0.1` or `eval_dataset`",
            )
        if self.eval_strategy == "steps" and not self.eval_steps and self.logging_steps == 0:
            report(
                info, "LC301", "eval_strategy", "`eval_strategy: steps` needs non-zero `eval_steps` or `logging_steps`"
            )
        if self.logging_strategy == "steps" and self.logging_steps == 0:
            report(info, "LC301", "logging_steps", "`logging_strategy: steps` needs non-zero `logging_steps`")
        for name in ("logging_steps", "eval_steps", "save_steps"):
            value = getattr(self, name)
            if isinstance(value, float) and value > 1 and not value.is_integer():
                report(info, "LC301", name, f"`{name}` above 1 must be a whole number (got {value})")
        if self.load_best_model_at_end and self.save_strategy != "best":
            if self.save_strategy != self.eval_strategy:
                report(
                    info,
                    "LC301",
                    "load_best_model_at_end",
                    f"`load_best_model_at_end` needs `save_strategy` ({self.save_strategy}) to match `eval_strategy` ({self.eval_strategy})",
                )
            elif self.eval_strategy == "steps" and self.eval_steps and self.save_steps % self.eval_steps:
                report(
                    info,
                    "LC301",
                    "save_steps",
                    f"`save_steps` ({self.save_steps}) must be a multiple of `eval_steps` ({self.eval_steps})",
                )
        if self.lr_scheduler_type in ("reduce_lr_on_plateau", "greedy") and self.eval_strategy == "no":
            report(
                info,
                "LC301",
                "lr_scheduler_type",
                f"`lr_scheduler_type: {self.lr_scheduler_type}` needs an `eval_strategy`",
            )
        if self.dataloader_prefetch_factor is not None and self.dataloader_num_workers == 0:
            report(
                info,
                "LC301",
                "dataloader_prefetch_factor",
                "`dataloader_prefetch_factor` needs `dataloader_num_workers` > 0",
            )
        if self.is_set("warmup_ratio"):
            report(
                info,
                "LC302",
                "warmup_ratio",
                "`warmup_ratio` is deprecated in transformers 5",
                "use `warmup_steps` with a value below 1 (a ratio)",
                INFO,
            )
        if self.is_set("logging_dir"):
            report(
                info,
                "LC302",
                "logging_dir",
                "`logging_dir` is deprecated in transformers 5",
                "set the TENSORBOARD_LOGGING_DIR environment variable instead",
                INFO,
            )
        return self

    # --- launch environment --------------------------------------------------------------
    @model_validator(mode="after")
    def _launch(self, info: ValidationInfo) -> Self:
        megatron = sorted(n for n in MegatronBridgeArgs.model_fields if n in self.model_fields_set)
        if megatron and not self.use_megatron_bridge:
            report(
                info,
                "LC302",
                megatron[0],
                "Megatron-Bridge keys are accepted only when the job runs with USE_MEGATRON_BRIDGE=1",
                "launch with `USE_MEGATRON_BRIDGE=1 llamafactory-cli train ...`",
                INFO,
            )
        if self.kt_cpu_activation is not None and not self.use_kt:
            report(info, "LC301", "kt_cpu_activation", "`kt_cpu_activation` only works with `use_kt: true`")
        if self.deepspeed is not None and self.do_train:
            report(
                info,
                "LC302",
                "deepspeed",
                "DeepSpeed runs must be launched distributed; on one GPU set FORCE_TORCHRUN=1",
                "run `FORCE_TORCHRUN=1 llamafactory-cli train ...`",
                INFO,
            )
        return self

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(cls.model_fields)

    @classmethod
    def since(cls, name: str) -> str | None:
        extra: Any = cls.model_fields[name].json_schema_extra
        return extra.get("since") if isinstance(extra, dict) else None

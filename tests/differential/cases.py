"""The config variants the differential tests feed to both LLaMA-Factory and lorachecks.

Each case starts from a valid 1-step LoRA SFT config for the tiny local Llama and changes a
few raw YAML values (so `1e-4`, `8.0`, `"ten"`, duplicate keys reach the trainer exactly as
written). ``lf_fails`` records what LLaMA-Factory 0.9.5 was seen to do; ``known_difference``
explains a case where lorachecks deliberately gives another verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml

# A valid 1-step LoRA SFT run: raw YAML values, placeholders filled in per case.
BASE: dict[str, str] = {
    "model_name_or_path": "{model}",
    "stage": "sft",
    "do_train": "true",
    "finetuning_type": "lora",
    "lora_rank": "8",
    "lora_target": "all",
    "dataset": "tiny_sft",
    "dataset_dir": "{data}",
    "template": "default",
    "cutoff_len": "64",
    "output_dir": "{out}",
    "overwrite_output_dir": "true",
    "per_device_train_batch_size": "2",
    "gradient_accumulation_steps": "1",
    "learning_rate": "1.0e-4",
    "max_steps": "1",
    "logging_steps": "1",
    "save_strategy": "'no'",
    "report_to": "none",
    "dataloader_num_workers": "0",
}


@dataclass(frozen=True)
class Case:
    name: str
    what: str  # one line for the result table
    lf_fails: bool  # LLaMA-Factory 0.9.5 does not finish the 1-step run
    set: dict[str, str | None] = field(default_factory=dict)  # key -> raw YAML value, None removes it
    extra: str = ""  # raw lines appended (duplicate keys, unknown keys)
    filename: str = "cfg.yaml"
    env: dict[str, str] = field(default_factory=dict)  # placeholders allowed in values
    known_difference: str = ""  # why lorachecks deliberately disagrees (empty: verdicts must agree)
    # why `lorachecks dry-run` deliberately disagrees with the trainer (empty: verdicts agree)
    dry_run_difference: str = ""
    files: tuple[str, ...] = ()  # empty files created under the case folder before the run

    def render(self, places: dict[str, str]) -> str:
        """The config file text, with {model}, {data}, {out}, {empty}, {case} filled in."""
        values = {**BASE, **self.set}
        lines = [f"{k}: {v}" for k, v in values.items() if v is not None]
        text = "\n".join(lines) + "\n" + self.extra
        text = text.format(**places)
        if self.filename.endswith(".json"):
            return json.dumps(yaml.safe_load(text), indent=1) + "\n"
        return text

    def environment(self, places: dict[str, str]) -> dict[str, str]:
        return {k: v.format(**places) for k, v in self.env.items()}


# Why lint cannot see what the trainer does in the cases that depend on the model's own files.
MODEL_ONLY = (
    "which modules a model has (fused MoE experts, a router that is no Linear, the modules outside its layers) is "
    "known only by building it: lint does not load the model; `lorachecks dry-run` reports it (DR201)"
)
TOKENIZER_ONLY = (
    "which template tokens the tokenizer lacks, and how many rows the model's embedding has, are known only from "
    "the model's files: lint does not load them; `lorachecks dry-run` reports it (DR309)"
)

CASES: list[Case] = [
    Case("baseline", "valid 1-step LoRA SFT config", False),
    Case("float_1e-4", "`learning_rate: 1e-4` (OmegaConf reads a float)", False, {"learning_rate": "1e-4"}),
    Case("yaml11_bool", "`overwrite_cache: yes` (a YAML 1.1 boolean)", False, extra="overwrite_cache: yes\n"),
    Case("val_size_count", "`val_size: 1.5` (a sample count above 1)", False, {"val_size": "1.5"}),
    Case(
        "int_for_float",
        "`num_train_epochs: 1`, `lora_dropout: 0` (ints where floats are declared)",
        False,
        {"num_train_epochs": "1", "lora_dropout": "0"},
    ),
    Case("cutoff_beyond_model", "`cutoff_len: 4096` beyond the model's 256 positions", False, {"cutoff_len": "4096"}),
    Case("quoted_true", '`do_train: "true"` (text, not a boolean)', False, {"do_train": '"true"'}),
    Case(
        "quoted_false",
        '`do_train: "false"` (text, not a boolean)',
        False,
        {"do_train": '"false"'},
        known_difference=(
            "the trainer tests truthiness, so the text `false` switches training on and the run succeeds; "
            "lorachecks reports LC104 as an error because the config says the opposite of what runs"
        ),
    ),
    Case(
        "yaml_lists",
        "`dataset: [tiny_sft]`, `lora_target: [q_proj, v_proj]` (YAML lists)",
        False,
        {"dataset": "[tiny_sft]", "lora_target": "[q_proj, v_proj]"},
    ),
    Case("lora_alpha_float", "`lora_alpha: 12.5`", False, {"lora_alpha": "12.5"}),
    Case("typo_key", "typo `lora_rnak`", True, extra="lora_rnak: 8\n"),
    Case("camelcase_key", "camelCase `loraAlpha`", True, extra="loraAlpha: 16\n"),
    Case("renamed_key", "`evaluation_strategy` (renamed to eval_strategy)", True, extra="evaluation_strategy: 'no'\n"),
    Case("duplicate_key", "`learning_rate` written twice", True, extra="learning_rate: 2.0e-4\n"),
    Case("lora_rank_float", "`lora_rank: 8.0`", True, {"lora_rank": "8.0"}),
    Case("lora_alpha_string", "`lora_alpha: sixteen`", True, {"lora_alpha": "sixteen"}),
    Case("max_steps_string", '`max_steps: "ten"`', True, {"max_steps": '"ten"'}),
    Case(
        "interp_model",
        "`model_name_or_path: ${oc.env:TINY_MODEL}` with the variable set",
        True,
        {"model_name_or_path": "${{oc.env:TINY_MODEL}}"},
        env={"TINY_MODEL": "{model}"},
    ),
    Case(
        "interp_output_dir",
        "`output_dir: ${oc.env:TINY_OUT}` with the variable set",
        False,
        {"output_dir": "${{oc.env:TINY_OUT}}"},
        env={"TINY_OUT": "{out}"},
        known_difference=(
            "LLaMA-Factory trains, but into a folder literally named `${oc.env:TINY_OUT}` in the launch "
            "directory; lorachecks reports LC108 as an error because the run's output is not where the user asked"
        ),
    ),
    Case(
        "quant_full",
        "`quantization_bit: 4` with `finetuning_type: full`",
        True,
        {"finetuning_type": "full", "quantization_bit": "4"},
    ),
    # use_cpu: on a CPU-only machine the trainer refuses bf16 before it looks at fp16.
    Case("fp16_bf16", "`fp16` and `bf16` both true", True, {"fp16": "true", "bf16": "true", "use_cpu": "true"}),
    Case(
        "bf16_on_cpu",
        "`bf16: true` on a machine without a bf16 GPU",
        True,
        {"bf16": "true"},
        known_difference=(
            "the trainer refuses bf16 on this CPU-only test machine; the config is right for the GPU it is "
            "written for, and lorachecks cannot know where it will run"
        ),
        dry_run_difference=(
            "a GPU config is dry-run on the CPU to check everything but the GPU: the step runs (bf16 works on "
            "the CPU in torch) where this CPU-only machine's trainer refuses bf16"
        ),
    ),
    Case(
        "eval_no_val", "`eval_strategy: steps` without `val_size`", True, {"eval_strategy": "steps", "eval_steps": "1"}
    ),
    Case("unknown_template", "`template: tiny_chat` (not registered)", True, {"template": "tiny_chat"}),
    Case(
        "unknown_dataset", "`dataset: alpaca_en_demo` (not in dataset_info.json)", True, {"dataset": "alpaca_en_demo"}
    ),
    Case("no_dataset", "`do_train` without `dataset`", True, {"dataset": None}),
    Case("no_dataset_info", "`dataset_dir` without dataset_info.json", True, {"dataset_dir": "{empty}"}),
    Case(
        "missing_model",
        "`model_name_or_path` names a missing folder",
        True,
        {"model_name_or_path": "{case}/no_such_model"},
    ),
    Case(
        "resume_missing",
        "`resume_from_checkpoint` names a missing folder",
        True,
        {"resume_from_checkpoint": "{case}/no_such_checkpoint"},
    ),
    Case(
        "resume_true_empty",
        "`resume_from_checkpoint: true` with no checkpoint in `output_dir`",
        True,
        {"resume_from_checkpoint": "true"},
    ),
    Case(
        "output_holds_weights",
        "`output_dir` holds `adapter_model.safetensors`, no `overwrite_output_dir`",
        True,
        {"overwrite_output_dir": None},
        files=("out/adapter_model.safetensors",),
    ),
    Case(
        "output_holds_other_files",
        "`output_dir` holds only a README, no `overwrite_output_dir`",
        False,
        {"overwrite_output_dir": None},
        files=("out/README.md",),
    ),
    Case("kto_untagged", "`stage: kto` with a dataset without a `kto_tag` column", True, {"stage": "kto"}),
    Case(
        "quant_no_bitsandbytes",
        "`quantization_bit: 4` (QLoRA) where bitsandbytes is not installed",
        True,
        {"quantization_bit": "4"},
        known_difference=(
            "the trainer stops because an optional package (bitsandbytes) is missing on this machine; "
            "lorachecks checks the config, not the packages of the machine that will run it"
        ),
    ),
    Case("bad_stage", "`stage: sfft`", True, {"stage": "sfft"}),
    Case(
        "bad_lora_target",
        "`lora_target: query_key_value` (not a Llama module)",
        True,
        {"lora_target": "query_key_value"},
    ),
    Case("batch_zero", "`per_device_train_batch_size: 0`", True, {"per_device_train_batch_size": "0"}),
    Case("grad_accum_zero", "`gradient_accumulation_steps: 0`", True, {"gradient_accumulation_steps": "0"}),
    Case("lora_rank_zero", "`lora_rank: 0`", True, {"lora_rank": "0"}),
    Case("bad_scheduler", "`lr_scheduler_type: cosine_annealing`", True, {"lr_scheduler_type": "cosine_annealing"}),
    Case("negative_lr", "`learning_rate: -1.0e-4`", True, {"learning_rate": "-1.0e-4"}),
    Case("json_config", "the baseline as a `.json` config", True, filename="cfg.json"),
    Case("upper_ext", "the baseline named `cfg.YAML`", True, filename="cfg.YAML"),
    # --- methods and targets: the verdict and the trainable count (dry-run) ----------------
    Case("target_one", "`lora_target: q_proj`", False, {"lora_target": "q_proj"}),
    Case(
        "target_partly_unknown",
        "`lora_target: q_proj,v_prj` (one name misspelt: peft trains q_proj only)",
        False,
        {"lora_target": "q_proj,v_prj"},
        known_difference=(
            "the trainer runs and adapts q_proj only (peft ignores names it does not find); lorachecks reports "
            "LC209 as an error because the run trains something other than written"
        ),
    ),
    Case(
        "additional_target_unknown",
        "`additional_target: embed_tokns` (misspelt: peft skips it)",
        False,
        {"additional_target": "embed_tokns"},
    ),
    Case(
        "additional_target",
        "`additional_target: embed_tokens` (trained in full)",
        False,
        {"additional_target": "embed_tokens"},
    ),
    Case("lora_alpha_zero", "`lora_alpha: 0` (every update scaled by 0)", False, {"lora_alpha": "0"}),
    Case("dora", "`use_dora: true`", False, {"use_dora": "true"}),
    Case("rslora", "`use_rslora: true`", False, {"use_rslora": "true"}),
    Case(
        "freeze",
        "`finetuning_type: freeze` (the last 2 layers)",
        False,
        {"finetuning_type": "freeze", "lora_target": None, "lora_rank": None},
    ),
    Case(
        "freeze_module_q_proj",
        "`finetuning_type: freeze` with `freeze_trainable_modules: q_proj` (not a layer's child)",
        True,
        {"finetuning_type": "freeze", "freeze_trainable_modules": "q_proj", "lora_target": None, "lora_rank": None},
        known_difference=(
            "a layer's children (self_attn, mlp, ...) are known only from the model's code: lint does not load it; "
            "`lorachecks dry-run` reports it (DR201) with the trainer's list"
        ),
    ),
    Case("full", "`finetuning_type: full`", False, {"finetuning_type": "full", "lora_target": None, "lora_rank": None}),
    Case(
        "full_bf16_cpu",
        "`finetuning_type: full` in bf16 (`use_cpu: true`)",
        False,
        {"finetuning_type": "full", "lora_target": None, "lora_rank": None, "bf16": "true", "use_cpu": "true"},
    ),
    Case(
        "oft",
        "`finetuning_type: oft`",
        False,
        {"finetuning_type": "oft", "lora_target": None, "lora_rank": None, "oft_block_size": "16"},
    ),
    Case(
        "gpt2_all",
        "GPT-2 with `lora_target: all` (Conv1D layers are not Linear)",
        True,
        {"model_name_or_path": "{gpt2}"},
        known_difference=(
            "which layers `all` finds depends on the module classes, known only by loading the model; "
            "`lorachecks dry-run` reports it (DR201)"
        ),
    ),
    Case(
        "gpt2_c_attn",
        "GPT-2 with `lora_target: c_attn`",
        False,
        {"model_name_or_path": "{gpt2}", "lora_target": "c_attn"},
    ),
    Case(
        "template_eos_missing",
        "`template: llama3` on a tokenizer without `<|eot_id|>` and no spare embedding row",
        True,
        {"template": "llama3"},
        known_difference=(
            "whether the tokenizer has the template's end-of-turn token is known only from the model's files: "
            "lint does not read the tokenizer; `lorachecks dry-run` reports it (DR309)"
        ),
    ),
    Case(
        "template_second_token_missing",
        "`template: chatml` on a model with one spare embedding row: `<|im_end|>` fits, `<|im_start|>` does not",
        True,
        {"model_name_or_path": "{spare1}", "template": "chatml"},
        known_difference=(
            "which ids the template's tokens get is known only from the model's files: lint does not read the "
            "tokenizer; `lorachecks dry-run` encodes the dataset with the template and reports it (DR309)"
        ),
    ),
    Case(
        "template_eos_resized",
        "`template: llama3` with `resize_vocab: true` (the embedding grows)",
        False,
        {"template": "llama3", "resize_vocab": "true"},
    ),
    # --- stage vs dataset ----------------------------------------------------------------
    Case("dpo_pairs", "`stage: dpo` with a ranking dataset", False, {"stage": "dpo", "dataset": "tiny_pairs"}),
    Case("dpo_sft_data", "`stage: dpo` with an SFT dataset", True, {"stage": "dpo"}),
    Case("rm_sft_data", "`stage: rm` with an SFT dataset", True, {"stage": "rm"}),
    Case("sft_pairs", "`stage: sft` with a ranking dataset", True, {"dataset": "tiny_pairs"}),
    Case("pt_sft_data", "`stage: pt` with an SFT dataset", False, {"stage": "pt"}),
    Case("pt_pairs", "`stage: pt` with a ranking dataset", True, {"stage": "pt", "dataset": "tiny_pairs"}),
    Case("kto_pairs", "`stage: kto` with a ranking dataset", True, {"stage": "kto", "dataset": "tiny_pairs"}),
    Case(
        "dpo_full",
        "`stage: dpo`, `finetuning_type: full` (a reference model beside it)",
        False,
        {"stage": "dpo", "dataset": "tiny_pairs", "finetuning_type": "full", "lora_target": None, "lora_rank": None},
    ),
    Case(
        "quant_pissa",
        "`quantization_bit: 4` with `pissa_init: true`",
        True,
        {"quantization_bit": "4", "pissa_init": "true"},
    ),
    # --- mixtures of experts (transformers 5 fuses each layer's experts into one module) ----
    Case("moe_all", "Qwen3-MoE with `lora_target: all`", False, {"model_name_or_path": "{qwen3moe}"}),
    Case(
        "moe_expert_names",
        "Qwen3-MoE with `lora_target: gate_proj,up_proj,down_proj` (fused experts: no such Linear)",
        True,
        {"model_name_or_path": "{qwen3moe}", "lora_target": "gate_proj,up_proj,down_proj"},
        known_difference=MODEL_ONLY,
    ),
    Case(
        "moe_attention_and_expert_names",
        "Qwen3-MoE with `lora_target: q_proj,gate_proj,up_proj,down_proj` (only q_proj exists)",
        False,
        {"model_name_or_path": "{qwen3moe}", "lora_target": "q_proj,gate_proj,up_proj,down_proj"},
    ),
    Case(
        "moe_router",
        "Qwen3-MoE with `lora_target: q_proj,gate` (the router is no Linear)",
        True,
        {"model_name_or_path": "{qwen3moe}", "lora_target": "q_proj,gate"},
        known_difference=MODEL_ONLY,
        dry_run_difference=(
            "peft decides: the trainer's peft 0.18.1 refuses the router module, the dry-run environment's newer peft "
            "adapts it; the report names the peft version of its verdict and notes that the trainer's "
            "start-up check would refuse it"
        ),
    ),
    Case(
        "moe_full",
        "Qwen3-MoE with `finetuning_type: full`",
        False,
        {"model_name_or_path": "{qwen3moe}", "finetuning_type": "full", "lora_target": None, "lora_rank": None},
    ),
    Case(
        "moe_freeze_mlp",
        "Qwen3-MoE with `finetuning_type: freeze`, `freeze_trainable_modules: mlp`",
        False,
        {
            "model_name_or_path": "{qwen3moe}",
            "finetuning_type": "freeze",
            "freeze_trainable_modules": "mlp",
            "lora_target": None,
            "lora_rank": None,
        },
    ),
    Case("mixtral_all", "Mixtral with `lora_target: all`", False, {"model_name_or_path": "{mixtral}"}),
    Case(
        "mixtral_expert_names",
        "Mixtral with `lora_target: w1,w2,w3` (fused experts: no such Linear)",
        True,
        {"model_name_or_path": "{mixtral}", "lora_target": "w1,w2,w3"},
        known_difference=MODEL_ONLY,
    ),
    Case(
        "mixtral_experts_module",
        "Mixtral with `lora_target: experts` (a module peft cannot adapt)",
        True,
        {"model_name_or_path": "{mixtral}", "lora_target": "experts"},
    ),
    # --- value head, OFT, PiSSA, LLaMA Pro, freeze variants, GPT-2 full ----------------------
    Case(
        "rm_pairs", "`stage: rm` with a ranking dataset (value head)", False, {"stage": "rm", "dataset": "tiny_pairs"}
    ),
    Case(
        "ppo_value_head",
        "`stage: ppo` with a full reward model (value head; the trainer needs trl <= 0.9.6)",
        True,
        {"stage": "ppo", "reward_model": "{model}", "reward_model_type": "full"},
        known_difference=(
            "LLaMA-Factory 0.9.5 builds the model (the same trainable count as the dry-run's) and then stops because "
            "its PPO trainer needs trl 0.8.6-0.9.6 while this venv has the trl its start-up check asks for: a "
            "package of the machine, not the config"
        ),
        dry_run_difference=(
            "the dry-run builds the value head and counts what the trainer counts, and says in a note which trl "
            "the trainer's PPO needs; it checks the config, not the machine's packages"
        ),
    ),
    Case(
        "oft_rank",
        "`finetuning_type: oft` with `oft_rank: 4`, `oft_block_size: 0` on q_proj,v_proj",
        False,
        {
            "finetuning_type": "oft",
            "lora_rank": None,
            "oft_rank": "4",
            "oft_block_size": "0",
            "lora_target": "q_proj,v_proj",
        },
    ),
    Case(
        "oft_module_dropout",
        "`finetuning_type: oft`, `oft_block_size: 8`, `module_dropout: 0.1`",
        False,
        {
            "finetuning_type": "oft",
            "lora_rank": None,
            "oft_block_size": "8",
            "module_dropout": "0.1",
            "lora_target": "q_proj,v_proj",
        },
    ),
    Case("pissa", "`pissa_init: true`", False, {"pissa_init": "true"}),
    Case(
        "llama_pro",
        "`use_llama_pro: true` with freeze tuning of 1 layer",
        False,
        {
            "finetuning_type": "freeze",
            "use_llama_pro": "true",
            "freeze_trainable_layers": "1",
            "lora_target": None,
            "lora_rank": None,
        },
    ),
    Case(
        "freeze_first_layer_mlp",
        "`freeze_trainable_layers: -1` (the first layer), `freeze_trainable_modules: mlp`",
        False,
        {
            "finetuning_type": "freeze",
            "freeze_trainable_layers": "-1",
            "freeze_trainable_modules": "mlp",
            "lora_target": None,
            "lora_rank": None,
        },
    ),
    Case(
        "freeze_extra",
        "`freeze_extra_modules: embed_tokens`",
        False,
        {"finetuning_type": "freeze", "freeze_extra_modules": "embed_tokens", "lora_target": None, "lora_rank": None},
    ),
    Case(
        "freeze_extra_unknown",
        "`freeze_extra_modules: embed_tokns` (misspelt)",
        True,
        {"finetuning_type": "freeze", "freeze_extra_modules": "embed_tokns", "lora_target": None, "lora_rank": None},
        known_difference=MODEL_ONLY,
    ),
    Case(
        "gpt2_full",
        "GPT-2 with `finetuning_type: full`",
        False,
        {"model_name_or_path": "{gpt2}", "finetuning_type": "full", "lora_target": None, "lora_rank": None},
    ),
    # --- chat template tokens (llama3: template_eos_missing above) --------------------------
    Case(
        "template_qwen",
        "`template: qwen` on a tokenizer without `<|im_end|>`",
        True,
        {"template": "qwen"},
        known_difference=TOKENIZER_ONLY,
    ),
    Case("vl_all", "Qwen2-VL with `lora_target: all`", False, {"model_name_or_path": "{qwen2vl}"}),
    Case(
        "vl_vision_unfrozen",
        "Qwen2-VL with `lora_target: all`, `freeze_vision_tower: false`",
        False,
        {"model_name_or_path": "{qwen2vl}", "freeze_vision_tower": "false"},
    ),
    Case(
        "vl_full",
        "Qwen2-VL with `finetuning_type: full` (vision tower and projector frozen)",
        False,
        {"model_name_or_path": "{qwen2vl}", "finetuning_type": "full", "lora_target": None, "lora_rank": None},
    ),
    Case(
        "vl_freeze",
        "Qwen2-VL with `finetuning_type: freeze`",
        False,
        {"model_name_or_path": "{qwen2vl}", "finetuning_type": "freeze", "lora_target": None, "lora_rank": None},
    ),
    Case(
        "vl_freeze_projector_trained",
        "Qwen2-VL, freeze tuning with `freeze_multi_modal_projector: false`",
        False,
        {
            "model_name_or_path": "{qwen2vl}",
            "finetuning_type": "freeze",
            "freeze_multi_modal_projector": "false",
            "lora_target": None,
            "lora_rank": None,
        },
    ),
    Case(
        "vl_language_frozen",
        "Qwen2-VL full tuning of the vision tower only (`freeze_language_model: true`) on text data",
        True,
        {
            "model_name_or_path": "{qwen2vl}",
            "finetuning_type": "full",
            "freeze_language_model": "true",
            "freeze_vision_tower": "false",
            "lora_target": None,
            "lora_rank": None,
        },
        known_difference=(
            "whether the loss reaches a trainable parameter depends on the model's parts and the data: lint does "
            "not load the model; `lorachecks dry-run` reports it (DR303)"
        ),
    ),
    Case(
        "vl_template_without_processor",
        "Qwen2-VL with `template: qwen2_vl` and no image processor files",
        True,
        {"model_name_or_path": "{qwen2vl}", "template": "qwen2_vl"},
        known_difference=(
            "whether the model folder has a loadable processor is known only by loading it; "
            "`lorachecks dry-run` reports it (DR107)"
        ),
    ),
]

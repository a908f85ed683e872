"""LLaMA-Factory keys that were renamed or removed, and what replaced them.

Facts from the argument classes of successive releases (see docs/formats/llamafactory.md).
Keys dropped only by transformers 5 still work with transformers 4.x, so they warn.
"""

from lorachecks.formats.base import RenamedKey

RENAMED_KEYS: dict[str, RenamedKey] = {
    "dpo_beta": RenamedKey("pref_beta", "renamed in LLaMA-Factory 0.8.0"),
    "dpo_loss": RenamedKey("pref_loss", "renamed in LLaMA-Factory 0.8.0"),
    "dpo_ftx": RenamedKey("pref_ftx", "renamed in LLaMA-Factory 0.8.0"),
    "orpo_beta": RenamedKey("pref_beta", "use `pref_beta` with `pref_loss: orpo` (since 0.8.0)"),
    "name_module_trainable": RenamedKey("freeze_trainable_modules", "renamed in LLaMA-Factory 0.7.1"),
    "num_layer_trainable": RenamedKey("freeze_trainable_layers", "renamed in LLaMA-Factory 0.7.1"),
    "badam_switch_block_every": RenamedKey("badam_switch_interval", "renamed in LLaMA-Factory 0.7.1"),
    "ppo_logger": RenamedKey("report_to", "removed in LLaMA-Factory 0.7.0"),
    "split": RenamedKey(
        None, "removed in 0.8.3: use `eval_dataset` or `val_size` (or `split` inside dataset_info.json)"
    ),
    "reserved_label_len": RenamedKey(None, "removed in 0.8.3: only `cutoff_len` limits length now"),
    "cache_path": RenamedKey("tokenized_path", "renamed in LLaMA-Factory 0.7.0"),
    "image_dir": RenamedKey("media_dir", "renamed in LLaMA-Factory 0.9.2"),
    "visual_inputs": RenamedKey(None, "removed in 0.9.0: multimodality follows the `template`"),
    "vllm_dtype": RenamedKey("infer_dtype", "renamed in LLaMA-Factory 0.8.3"),
    "image_resolution": RenamedKey(
        "image_max_pixels", "replaced in 0.9.2 by `image_max_pixels` (and `image_min_pixels`)"
    ),
    "video_resolution": RenamedKey(
        "video_max_pixels", "replaced in 0.9.2 by `video_max_pixels` (and `video_min_pixels`)"
    ),
    "new_special_tokens": RenamedKey("add_special_tokens", "removed in 0.9.3 (or use `new_special_tokens_config`)"),
    "train_mm_proj_only": RenamedKey(
        "freeze_language_model",
        "removed in 0.9.2: set `freeze_language_model: true`, `freeze_multi_modal_projector: false`",
    ),
    "ray_run_name": RenamedKey("run_name", "removed after 0.9.4 (Ray workers were rewritten)"),
    "ray_storage_path": RenamedKey(None, "removed after 0.9.4 (Ray workers were rewritten)"),
    "ray_storage_filesystem": RenamedKey(None, "removed after 0.9.4 (Ray workers were rewritten)"),
    "resources_per_worker": RenamedKey(None, "removed after 0.9.4 (Ray workers were rewritten)"),
    "placement_strategy": RenamedKey(None, "removed after 0.9.4 (Ray workers were rewritten)"),
    "kt_optimize_rule": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "cpu_infer": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "chunk_size": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "mode": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "kt_maxlen": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "kt_use_cuda_graph": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "kt_mode": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "kt_force_think": RenamedKey("kt_config", "removed in 0.9.5 (KTransformers integration rewritten)"),
    "evaluation_strategy": RenamedKey("eval_strategy", "renamed in transformers 4.46"),
    "fsdp_transformer_layer_cls_to_wrap": RenamedKey(
        "fsdp_config",
        "removed in transformers 5: move it into `fsdp_config: {transformer_layer_cls_to_wrap: ...}`",
        fatal=False,
    ),
    "save_safetensors": RenamedKey(None, "removed in transformers 5 (checkpoints are always safetensors)", fatal=False),
    "group_by_length": RenamedKey(None, "removed in transformers 5", fatal=False),
    "no_cuda": RenamedKey("use_cpu", "removed in transformers 5", fatal=False),
    "include_tokens_per_second": RenamedKey(
        "include_effective_tokens_per_second", "removed in transformers 5", fatal=False
    ),
}

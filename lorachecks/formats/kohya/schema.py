"""The kohya sd-scripts / SD-Trainer training config (``--config_file``), flattened.

Fields come from the generated table in ``fields.py`` plus the arguments of the FLUX, SD3,
Lumina and DreamBooth/fine-tune scripts that SD-Trainer also writes. Validation checks each
field on its own (type, range); sd-scripts' checks between fields are rule modules
(rules/lc311_resolution.py ... lc325_network_alpha_default.py), which read the effective
values of the validated model (values.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model

from lorachecks.formats.kohya.fields import FIELDS

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
    """What every generated kohya model shares: the file's shape for editors. Checks between
    fields are the rules' (LC311-LC325), on the effective values (values.py)."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())

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

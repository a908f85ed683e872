"""The effective values of one validated kohya training config: what the rules read.

Validation (``schema.KohyaConfig``) only checks fields one by one: types and ranges. Its
result becomes one :class:`KohyaValues`: every field the file set with a valid value, every
other field at sd-scripts' argparse default (``fields.DEFAULTS``, generated from the
trainer's argument table; a field the table gives no default is None, False for a flag),
plus the few derived facts several rules need, so that no rule restates a default or
re-derives a fact another rule already knows.

No Pydantic here: LC105 also checks LLaMA-Factory files, whose lint path runs without it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from lorachecks.formats.kohya.fields import DEFAULTS
from lorachecks.formats.kohya.resolution import named_sdxl, parse_resolution

if TYPE_CHECKING:
    from pydantic import BaseModel


class KohyaValues:
    """Every field's effective value (``values.name``): the file's own where it validated,
    else the trainer's default."""

    # For mypy: the fields the rules read, with the types validation guarantees. Every other
    # field is an attribute too (typed Any by __getattr__).
    if TYPE_CHECKING:
        _set: frozenset[str]  # the fields the file sets with a valid value
        adaptive_noise_scale: float | None
        bucket_reso_steps: int
        cache_latents: bool
        cache_text_encoder_outputs: bool
        caption_dropout_rate: float
        caption_tag_dropout_rate: float
        color_aug: bool
        datasets: Any
        enable_bucket: bool
        fp8_base: bool
        full_bf16: bool
        full_fp16: bool
        fused_backward_pass: bool
        gradient_accumulation_steps: int
        ip_noise_gamma: float | None
        ip_noise_gamma_random_strength: bool
        log_with: str | None
        logging_dir: str | None
        lr_scheduler: str
        lr_scheduler_args: list[str] | None
        lr_scheduler_type: str | None
        lr_warmup_steps: float
        max_bucket_reso: int
        min_bucket_reso: int
        mixed_precision: str
        network_alpha: float
        network_args: list[str] | None
        network_dim: int | None
        network_module: str | None
        noise_offset: float | None
        noise_offset_random_strength: bool
        optimizer_args: list[str] | None
        optimizer_type: str | None
        pretrained_model_name_or_path: str | None
        random_crop: bool
        resolution: str | None
        shuffle_caption: bool
        subsets: Any
        v2: bool

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self, given: dict[str, Any], defaults: dict[str, Any], set_names: frozenset[str]) -> None:
        attributes = self.__dict__
        attributes.update(defaults)
        attributes.update(given)
        attributes["_set"] = set_names

    def is_set(self, name: str) -> bool:
        """Whether the file sets ``name`` with a valid value."""
        return name in self._set

    @property
    def resolution_pair(self) -> tuple[int, int] | None:
        """`resolution` as (width, height); None when unset or not "W" / "W,H"."""
        return parse_resolution(self.resolution) if self.resolution is not None else None

    @property
    def sdxl(self) -> bool:
        """The base model's name says SDXL (the checkpoint itself is LC408's to read)."""
        return named_sdxl(self.pretrained_model_name_or_path)

    @property
    def optimizer(self) -> str:
        """The optimizer sd-scripts builds (`train_util.get_optimizer`)."""
        from lorachecks.formats.effective import kohya_optimizer

        names = ("optimizer_type", "use_8bit_adam", "use_lion_optimizer")
        return kohya_optimizer({name: getattr(self, name) for name in names})


def values_of(model: BaseModel) -> KohyaValues:
    """The view of a training config the schema validated (fields that failed are left out of
    ``model``, so they stand at their defaults)."""
    given = {name: getattr(model, name) for name in model.model_fields_set}
    return KohyaValues(given, _defaults(type(model)), frozenset(model.model_fields_set))


@cache
def _defaults(schema: type[BaseModel]) -> dict[str, Any]:
    # A declared field without an sd-scripts default keeps the schema's (None, False for flags).
    return {name: DEFAULTS.get(name, info.default) for name, info in schema.model_fields.items()}

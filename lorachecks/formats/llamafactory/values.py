"""The effective values of one validated LLaMA-Factory config: what the rules read.

Validation (fast.py without Pydantic, or the Pydantic schema when the fast path cannot
decide) only checks fields one by one: types, choices, bounds. Its result is one
:class:`LlamaFactoryValues` either way: every field the file set correctly, every other
field at the default the trainer uses, and the few derived facts several rules need, so
that each rule module reads the same view and no check is written twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from lorachecks.formats.llamafactory import fast

if TYPE_CHECKING:
    from pydantic import BaseModel

    # For mypy only: the view has every field of the schema with its annotation.
    from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig as _FieldTypes
else:
    _FieldTypes = object


def split_names(value: str | list[str] | None) -> list[str]:
    """The items of a comma-separated option; a YAML list passes through (LLaMA-Factory's split_arg)."""
    items = value.split(",") if isinstance(value, str) else (value or [])
    return [n.strip() for n in items if isinstance(n, str) and n.strip()]


class LlamaFactoryValues(_FieldTypes):
    """Every field's effective value: the file's own where it validated, else the default."""

    _set: frozenset[str]  # the fields the file sets

    def __init__(self, given: Mapping[str, Any], set_names: Iterable[str]) -> None:
        values, factories = fast.field_defaults()
        attributes = self.__dict__
        attributes.update(values)
        for name, factory in factories.items():
            attributes[name] = factory()  # a fresh list or dict per config, as Pydantic makes
        attributes.update(given)
        attributes["_set"] = frozenset(set_names)

    @classmethod
    def from_model(cls, model: BaseModel) -> LlamaFactoryValues:
        """The view of a config the Pydantic schema validated (the fast path's fallback)."""
        return cls({name: getattr(model, name) for name in type(model).model_fields}, model.model_fields_set)

    def is_set(self, *names: str) -> bool:
        """Whether the file sets any of these fields (with a valid value)."""
        return any(n in self._set for n in names)

    @property
    def set_names(self) -> frozenset[str]:
        return self._set

    @property
    def evaluates(self) -> bool:
        # transformers turns do_eval on whenever an eval strategy is set.
        return self.do_eval or self.eval_strategy != "no" or self.do_predict or self.predict_with_generate

    @property
    def datasets(self) -> list[str]:
        return split_names(self.dataset)

    @property
    def adapters(self) -> list[str]:
        return split_names(self.adapter_name_or_path)

    @property
    def reporters(self) -> list[str]:
        """The loggers of `report_to` (one name or a list)."""
        return [self.report_to] if isinstance(self.report_to, str) else list(self.report_to or [])

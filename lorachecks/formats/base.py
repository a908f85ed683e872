"""What a config format is: how to recognise it, load it and validate it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from lorachecks.core.diagnostics import Severity
from lorachecks.core.records import field, record

if TYPE_CHECKING:
    from pydantic import BaseModel

    from lorachecks.core.settings import Settings
    from lorachecks.formats.validation import Validation
    from lorachecks.loader import Document


@record(frozen=True, slots=True)
class RenamedKey:
    replacement: str | None
    note: str
    fatal: bool = True  # False: still accepted by some supported library versions

    @property
    def pure_rename(self) -> bool:
        """Same meaning under the new name (the note says "renamed"): safe to fix automatically."""
        return self.replacement is not None and self.note.startswith("renamed")


@record(frozen=True)
class Format:
    """A kind of file lorachecks recognises.

    ``lintable`` formats are train configs with a schema and rules; the others are files
    found beside them (DeepSpeed JSON, accelerate configs, ...) that are recognised so they
    can be reported as skipped rather than mistaken for broken train configs.
    """

    name: str
    title: str
    syntaxes: tuple[str, ...]
    detect: Callable[[Document], bool]
    lintable: bool = False
    schema_path: str | None = None  # "module:Class", imported on first use
    dialect_for: Callable[[Settings], str] | None = None
    # Keys the trainer accepted once, by old name: (replacement or None, note, still fatal?).
    renamed: Mapping[str, RenamedKey] = field(default_factory=dict)
    # Keys whose verdict depends on the transformers release (LC102 reports them).
    transformers_only: frozenset[str] = frozenset()
    # Narrows the schema's keys to those the user's release accepts (default: all).
    release_keys: Callable[[Settings], frozenset[str]] | None = None
    # Unknown keys (LC101): how bad they are for this trainer and what the trainer does.
    unknown_key_severity: Severity = Severity.ERROR
    unknown_key_effect: str = "the trainer refuses keys it does not know"
    # Names users write for a known key (other tools' spellings): the "did you mean" hint.
    aliases: Mapping[str, str] = field(default_factory=dict)
    # Performance hooks (no Pydantic import): the schema's field names, and a validation
    # that returns None whenever it cannot decide (the caller then runs the schema).
    field_names: Callable[[], frozenset[str]] | None = None
    fast_validate: Callable[[dict[str, Any]], Validation | None] | None = None
    # What the rules read of a config the Pydantic schema validated (None: the model itself);
    # fast_validate builds the same view.
    config_view: Callable[[Any], Any] | None = None

    def dialect(self, syntax: str, settings: Settings) -> str:
        if self.dialect_for is not None:
            return self.dialect_for(settings)
        return {"yaml": "omegaconf", "json": "json", "toml": "toml"}[syntax]

    def known_keys(self, settings: Settings) -> frozenset[str]:
        if self.release_keys is not None:
            return self.release_keys(settings)
        return self.all_keys

    @property
    def all_keys(self) -> frozenset[str]:
        if self.field_names is not None:
            return self.field_names()
        return _field_names(self.schema)

    @property
    def schema(self) -> type[BaseModel]:
        if self.schema_path is None:
            raise LookupError(f"format {self.name} has no schema")
        module, _, attr = self.schema_path.partition(":")
        model: Any = getattr(importlib.import_module(module), attr)
        return model  # type: ignore[no-any-return]


@cache
def _field_names(schema: type[BaseModel]) -> frozenset[str]:
    return frozenset(schema.model_fields)


def has_any(mapping: Any, keys: frozenset[str] | set[str]) -> bool:
    return isinstance(mapping, dict) and not keys.isdisjoint(mapping)

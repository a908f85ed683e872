"""One loaded config as the layers above see it: the document, its format, the settings it
is linted with, and the schema's verdict computed once on first use.

Formats' helpers (where a trainer looks for files, the image folders a kohya config trains
on, the DeepSpeed config it names) take this view; a rule's context (rules/context.py) is
this view plus the rule-facing conveniences, so formats never import from rules.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from lorachecks.formats.validation import Validation, allowed_of_field

if TYPE_CHECKING:
    from lorachecks.core.settings import Settings
    from lorachecks.formats.base import Format
    from lorachecks.loader import Document
    from lorachecks.loader.secrets import Secret


class ConfigView:
    def __init__(
        self, doc: Document, format: Format | None, settings: Settings, facts: dict[str, Any] | None = None
    ) -> None:
        self.doc = doc
        self.format = format  # None: the file was not recognised (only loader rules run)
        self.settings = settings
        # Facts a rule records for its run-wide check (``check_run``), keyed by rule code.
        self.facts: dict[str, Any] = {} if facts is None else facts

    def __repr__(self) -> str:
        name = self.format.name if self.format is not None else None
        return f"{type(self).__name__}({self.doc.path!s}, {name})"

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.mapping

    @cached_property
    def validation(self) -> Validation:
        """Strict field validation, then the cross-field validators on what passed."""
        assert self.format is not None
        fields = self.format.all_keys
        known = {k: v for k, v in self.data.items() if isinstance(k, str) and k in fields}
        if self.format.fast_validate is not None:
            fast = self.format.fast_validate(known)
            if fast is not None:
                return fast
        from pydantic import ValidationError

        schema = self.format.schema
        result = Validation()
        try:
            schema.model_validate(known, context={"findings": []}, strict=True)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                if error["loc"]:
                    result.field_errors.setdefault(str(error["loc"][0]), []).append(error)
        declared = schema.model_fields
        result.allowed = {key: allowed_of_field(declared[key]) for key in result.field_errors if key in declared}
        clean = {k: v for k, v in known.items() if k not in result.field_errors}
        context: dict[str, Any] = {"findings": result.findings, "invalid": set(result.field_errors)}
        try:
            result.config = schema.model_validate(clean, context=context, strict=True)
        except ValidationError:  # pragma: no cover - clean data passes field validation
            result.config = None
        if result.config is not None and self.format.config_view is not None:
            result.config = self.format.config_view(result.config)
        return result

    @cached_property
    def secrets(self) -> list[Secret]:
        """Credentials written in the file (LC60x rules report them; reporters mask them)."""
        from lorachecks.loader.secrets import find_secrets

        return find_secrets(self.doc) if self.doc.ok else []

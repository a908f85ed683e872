"""Effective values of a plain config mapping: the file's value where it is written, else the
default the trainer uses, read from the format's own field data (never restated by a reader).

The estimate, the LC5xx plan and the dry-run read configs that may not validate (a mapping
from the command line, a file with errors the schema rules report), so they cannot use the
validated view of a format (the rules read a validated LLaMA-Factory file through
``LlamaFactoryValues`` in formats/llamafactory/values.py); they read through
:class:`Effective` instead. One constructor per format says where its defaults come from,
the same table the validated view uses:

- LLaMA-Factory: the field table (``fast.field_defaults``: the compiled table, no Pydantic);
- kohya sd-scripts: argparse's defaults (``formats/kohya/fields.py``), on the flattened mapping;
- lora-scripts: the schema lorachecks owns (its Pydantic fields; files of this format are
  validated with Pydantic anyway).

Asking for a name the format does not have is a KeyError: a misspelt key fails loudly
instead of reading a default that no trainer has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lorachecks.loader import Document, Position


class Effective:
    """One config mapping read with its format's defaults."""

    __slots__ = ("_default", "data", "doc")

    def __init__(self, data: Mapping[str, Any], default: Callable[[str], Any], doc: Document | None = None) -> None:
        self.data = data
        self._default = default
        self.doc = doc

    def __getitem__(self, name: str) -> Any:
        """The value the trainer uses: as written (whatever its type), else the default."""
        return self.data[name] if name in self.data else self._default(name)

    def default(self, name: str) -> Any:
        return self._default(name)

    def written(self, name: str) -> bool:
        """Whether the file writes ``name`` (with any value, null included)."""
        return name in self.data

    def typed(self, name: str, kind: type | tuple[type, ...]) -> Any:
        """The value when it has the expected type (a bool is not a number), else the default:
        a value of the wrong type is the schema rules' to report, and the trainer stops on it."""
        value = self[name]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            return self._default(name)
        return value if isinstance(value, kind) else self._default(name)

    def position(self, name: str) -> Position | None:
        """Where the value of ``name`` is written (a flattened kohya key: in whichever table)."""
        written = self.doc.flat_path(name) if self.doc is not None else None
        return self.doc.value_position(written) if self.doc is not None and written is not None else None


def llamafactory(data: Mapping[str, Any], doc: Document | None = None) -> Effective:
    return Effective(data, _llamafactory_default, doc)


def _llamafactory_default(name: str) -> Any:
    from lorachecks.formats.llamafactory.fast import field_defaults

    values, factories = field_defaults()
    return values[name] if name in values else factories[name]()


def llamafactory_packs(values: Effective) -> bool:
    """Whether LLaMA-Factory packs the samples: `packing` as written, else (null, the default)
    only for pre-training, as its argument parser decides."""
    packing = values["packing"]
    return packing if isinstance(packing, bool) else values["stage"] == "pt"


def kohya(data: Mapping[str, Any], doc: Document | None = None) -> Effective:
    """``data`` flattened as sd-scripts flattens a --config_file (see estimate.sd.flatten)."""
    return Effective(data, _kohya_default, doc)


def _kohya_default(name: str) -> Any:
    from lorachecks.formats.kohya.fields import DEFAULTS

    return DEFAULTS[name]  # KeyError: not an argument of the training scripts


def kohya_optimizer(data: Mapping[str, Any]) -> str:
    """The optimizer sd-scripts builds (train_util.get_optimizer): `optimizer_type` when set,
    else AdamW8bit for `use_8bit_adam`, Lion for `use_lion_optimizer`, else AdamW."""
    name = data.get("optimizer_type")
    if isinstance(name, str) and name:
        return name
    if data.get("use_8bit_adam") is True:
        return "AdamW8bit"
    return "Lion" if data.get("use_lion_optimizer") is True else "AdamW"


def lora_scripts(data: Mapping[str, Any], doc: Document | None = None) -> Effective:
    return Effective(data, _lora_scripts_default, doc)


def _lora_scripts_default(name: str) -> Any:
    return _lora_scripts_defaults()[name]


@cache
def _lora_scripts_defaults() -> dict[str, Any]:
    from lorachecks.formats.lora_scripts.schema import LoraScriptsConfig

    return {name: info.default for name, info in LoraScriptsConfig.model_fields.items()}

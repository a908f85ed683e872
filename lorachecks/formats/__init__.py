"""The registry of formats lorachecks recognises, and per-file detection."""

from __future__ import annotations

from lorachecks.formats.base import Format
from lorachecks.formats.companions import COMPANION_FORMATS
from lorachecks.formats.kohya import KOHYA, KOHYA_DATASET
from lorachecks.formats.llamafactory import LLAMAFACTORY
from lorachecks.formats.lora_scripts import LORA_SCRIPTS
from lorachecks.formats.neighbours import NEIGHBOUR_FORMATS
from lorachecks.formats.sd_companions import SD_COMPANION_FORMATS
from lorachecks.loader import Document

# Order matters: the more specific signatures are tried first.
FORMATS: tuple[Format, ...] = (
    *COMPANION_FORMATS,
    *SD_COMPANION_FORMATS,
    *NEIGHBOUR_FORMATS,
    LORA_SCRIPTS,
    LLAMAFACTORY,
    KOHYA,
    KOHYA_DATASET,
)
LINTABLE = tuple(f.name for f in FORMATS if f.lintable)


def by_name(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def detect(doc: Document) -> Format | None:
    for fmt in FORMATS:
        if doc.syntax in fmt.syntaxes and fmt.detect(doc):
            return fmt
    return None

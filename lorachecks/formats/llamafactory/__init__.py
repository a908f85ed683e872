"""LLaMA-Factory train configs (`llamafactory-cli train config.yaml`).

The schema tracks LLaMA-Factory at commit ff6d4d12 (2026-08-18, after v0.9.5); each field
records the release that introduced it, so an older target release can be checked too.
"""

from __future__ import annotations

from functools import cache

from lorachecks.formats.base import Format, has_any
from lorachecks.formats.llamafactory import fast
from lorachecks.formats.llamafactory.renamed import RENAMED_KEYS
from lorachecks.loader import Document
from lorachecks.settings import Settings

TRACKED_COMMIT = "ff6d4d12"
TRACKED_RELEASE = "0.9.5"

# Keys whose presence marks a LLaMA-Factory config (kept import-free of the schema).
_SIGNATURE = frozenset(
    {
        "model_name_or_path",
        "stage",
        "finetuning_type",
        "do_train",
        "template",
        "dataset",
        "lora_target",
        "adapter_name_or_path",
        "export_dir",
        "infer_backend",
    }
)


def version_tuple(version: str) -> tuple[int, ...]:
    """``"0.9.3"`` -> (0, 9, 3); ``"latest"`` sorts after every release."""
    if version in ("latest", "head"):
        return (999,)
    return tuple(int(p) for p in version.lstrip("v<=").split(".") if p.isdigit())


def dialect(settings: Settings) -> str:
    # LLaMA-Factory <= 0.9.3 read configs with yaml.safe_load, newer ones with OmegaConf.
    return "pyyaml" if version_tuple(settings.llamafactory_version) < (0, 9, 4) else "omegaconf"


def release_keys(settings: Settings) -> frozenset[str]:
    """Schema keys that exist in the targeted LLaMA-Factory release."""
    return _release_keys(settings.llamafactory_version)


@cache
def _release_keys(version: str) -> frozenset[str]:
    target = version_tuple(version)
    since = fast.since_table()
    return frozenset(n for n, tag in since.items() if tag == "transformers" or version_tuple(tag or "latest") <= target)


def _detect(doc: Document) -> bool:
    return has_any(doc.data, _SIGNATURE)


LLAMAFACTORY = Format(
    name="llamafactory",
    title="LLaMA-Factory config",
    syntaxes=("yaml", "json"),
    detect=_detect,
    lintable=True,
    schema_path="lorachecks.formats.llamafactory.schema:LlamaFactoryConfig",
    dialect_for=dialect,
    renamed=RENAMED_KEYS,
    release_keys=release_keys,
    field_names=fast.field_names,
    fast_validate=fast.validate,
)

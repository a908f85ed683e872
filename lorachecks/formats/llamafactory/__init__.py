"""LLaMA-Factory train configs (`llamafactory-cli train config.yaml`).

The schema tracks LLaMA-Factory at commit ff6d4d12 (2026-08-18, after v0.9.5); each field
records the release that introduced it, so an older target release can be checked too.
"""

from __future__ import annotations

from functools import cache

from lorachecks.core.settings import Settings
from lorachecks.formats.base import Format, has_any
from lorachecks.formats.llamafactory import environment, fast
from lorachecks.formats.llamafactory.renamed import RENAMED_KEYS
from lorachecks.formats.llamafactory.values import LlamaFactoryValues
from lorachecks.loader import Document

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
    """Keys the targeted LLaMA-Factory release accepts with the transformers that runs it.

    Keys that only some transformers releases know are included unless the targeted
    transformers certainly refuses them (LC102 says which release accepts them)."""
    return _release_keys(settings.llamafactory_version, settings.transformers_version)


@cache
def _release_keys(version: str, transformers_version: str | None) -> frozenset[str]:
    target = version_tuple(version)
    env = environment.transformers_for(version, transformers_version, "")
    since = fast.since_table()
    keys = {n for n, tag in since.items() if tag == "transformers" or version_tuple(tag or "latest") <= target}
    for key in (*environment.UNTIL, *environment.ABSENT_UNTIL):
        verdict = environment.accepted(key, version, env)
        if verdict is False:
            keys.discard(key)
        elif key in environment.UNTIL or verdict:
            keys.add(key)
    return frozenset(keys)


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
    transformers_only=frozenset(environment.UNTIL),
    field_names=fast.field_names,
    fast_validate=fast.validate,
    config_view=LlamaFactoryValues.from_model,
)

"""Which transformers runs a LLaMA-Factory config, and the keys that depend on it.

LLaMA-Factory passes the trainer's keys to transformers' ``TrainingArguments``, so a key
such as `save_safetensors` is accepted by transformers 4.x and refused by 5.x. The
transformers release is read without importing anything: `--transformers-version` (or the
project setting), the package metadata of the environment `--python-env` names (or of the
current one, when LLaMA-Factory is installed there), a `transformers==X` pin in the
launch directory's requirements files, and otherwise the range the LLaMA-Factory release
allows (its package's `Requires-Dist`).
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from lorachecks.core.records import record
from lorachecks.core.settings import Settings

Version = tuple[int, ...]

# transformers range each LLaMA-Factory release allows (Requires-Dist of its PyPI package).
# The tracked commit after 0.9.5 ("latest") is assumed to allow what 0.9.5 allows.
RELEASE_TRANSFORMERS: dict[str, tuple[str, str]] = {
    "0.9.0": ("4.41.2", "4.45.0"),
    "0.9.1": ("4.41.2", "4.46.1"),
    "0.9.2": ("4.41.2", "4.49.0"),
    "0.9.3": ("4.45.0", "4.52.4"),
    "0.9.4": ("4.51.0", "4.57.1"),
    "0.9.5": ("4.55.0", "5.6.0"),
}
LATEST_RELEASE = "0.9.5"
# Releases before 0.9.0 predate transformers 5 by far: any 4.x.
_OLDER_RANGE = ("4.0.0", "4.44.2")
# Releases the schema knows (each field records the one that introduced it).
KNOWN_RELEASES = ("0.6.0", "0.7.0", "0.7.1", "0.8.0", "0.8.3", *RELEASE_TRANSFORMERS)

# TrainingArguments fields of transformers 4.x that 5.x dropped -> last release that has
# them (from the dataclass fields of 4.45.0, 4.52.4, 4.57.1 and 5.6.0).
UNTIL: dict[str, str] = {
    **dict.fromkeys(
        (
            "adafactor",
            "fp16_backend",
            "fp16_opt_level",
            "fsdp_min_num_params",
            "fsdp_transformer_layer_cls_to_wrap",
            "group_by_length",
            "half_precision_backend",
            "include_inputs_for_metrics",
            "include_tokens_per_second",
            "jit_mode_eval",
            "mp_parameters",
            "no_cuda",
            "overwrite_output_dir",
            "past_index",
            "per_gpu_eval_batch_size",
            "per_gpu_train_batch_size",
            "push_to_hub_model_id",
            "push_to_hub_organization",
            "push_to_hub_token",
            "ray_scope",
            "save_safetensors",
            "torchdynamo",
            "tpu_metrics_debug",
            "tpu_num_cores",
            "use_legacy_prediction_loop",
            "use_mps_device",
        ),
        "4.57.1",
    ),
    "use_ipex": "4.52.4",
    "dispatch_batches": "4.45.0",
    "split_batches": "4.45.0",
    "evaluation_strategy": "4.45.0",
}
# Fields newer transformers added -> the newest release known to lack them.
ABSENT_UNTIL: dict[str, str] = {
    **dict.fromkeys(
        ("ddp_static_graph", "enable_jit_checkpoint", "trackio_bucket_id", "trackio_static_space_id"), "4.57.1"
    ),
    "train_sampling_strategy": "4.57.1",
    **dict.fromkeys(
        ("hub_revision", "liger_kernel_config", "parallelism_config", "project", "trackio_space_id"), "4.52.4"
    ),
    **dict.fromkeys(("average_tokens_across_devices", "include_for_metrics"), "4.45.0"),
}
# LLaMA-Factory re-declares these itself from the release given (they work with any transformers).
_OWN_FROM = {"overwrite_output_dir": "0.9.4"}

_VERSION_TEXT = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")
_PIN = re.compile(r"^\s*transformers\s*===?\s*([0-9][\w.]*)\s*(?:[;#].*)?$", re.IGNORECASE | re.MULTILINE)


def parse(version: str) -> Version:
    match = _VERSION_TEXT.match(version.strip())
    if match is None:
        raise ValueError(version)
    return tuple(int(p) for p in match.groups() if p is not None)


def release_name(version: str) -> str:
    """ "latest"/"head" -> the release the tracked commit follows; "v0.9.3" -> "0.9.3"."""
    return LATEST_RELEASE if version in ("latest", "head") else version.strip().lstrip("v")


def check_llamafactory_version(value: str) -> str | None:
    """None when lorachecks knows the release, else why not (one line, for a usage error)."""
    name = value.strip()
    if name in ("latest", "head") or name.lstrip("v") in KNOWN_RELEASES:
        return None
    return f"unknown LLaMA-Factory release {value!r}: use latest or one of {', '.join(KNOWN_RELEASES)}"


def check_transformers_version(value: str) -> str | None:
    try:
        parsed = parse(value)
    except ValueError:
        return f"not a transformers version: {value!r} (use a release such as 4.52.4 or 5.6.0)"
    if not (4, 0) <= parsed < (6,):
        return f"transformers {value} is outside the 4.x and 5.x releases LLaMA-Factory runs with"
    return None


@record(frozen=True, slots=True)
class Transformers:
    """The transformers release(s) a run is judged for, and where that came from."""

    low: Version
    high: Version
    shown: str  # "5.6.0" or "4.55.0 to 5.6.0"
    source: str  # "installed in ...", "pinned in ...", "allowed by LLaMA-Factory 0.9.5", "set"

    def describe(self) -> str:
        return f"transformers {self.shown} ({self.source})"


def transformers_for(llamafactory_version: str, exact: str | None, source: str) -> Transformers:
    if exact:
        version = parse(exact)
        return Transformers(version, version, exact, source or "set")
    release = release_name(llamafactory_version)
    low, high = RELEASE_TRANSFORMERS.get(release, _OLDER_RANGE)
    return Transformers(parse(low), parse(high), f"{low} to {high}", f"allowed by LLaMA-Factory {release}")


def target(settings: Settings) -> Transformers:
    exact, source = settings.transformers_version, settings.transformers_source
    if exact is None and settings.python_env is not None:  # set per project: read it here
        exact = _installed_in(settings.python_env)
        source = f"installed in {settings.python_env}"
    return transformers_for(settings.llamafactory_version, exact, source)


@lru_cache(maxsize=16)
def _installed_in(environment: Path) -> str | None:
    version = installed_version("transformers", environment)
    return version if version is not None and check_transformers_version(version) is None else None


def accepted(key: str, llamafactory_version: str, env: Transformers) -> bool | None:
    """Whether transformers accepts ``key`` in this environment: None when it depends on
    the exact release within the range (or when the key is not transformers' to judge)."""
    own = _OWN_FROM.get(key)
    if own is not None and parse(release_name(llamafactory_version)) >= parse(own):
        return True
    if key in UNTIL:
        last = parse(UNTIL[key])
        return True if env.high <= last else False if env.low > last else None
    if key in ABSENT_UNTIL:
        return False if env.high <= parse(ABSENT_UNTIL[key]) else True
    return None


def installed_version(package: str, environment: Path | None) -> str | None:
    """The version of ``package`` in a virtual environment (its dist-info folder name), or in
    the running interpreter's import path when ``environment`` is None. Nothing is imported:
    not the package, not even importlib.metadata (a lint run's start-up time counts)."""
    if environment is None:
        folders = [Path(entry) for entry in sys.path if entry and not entry.endswith(".zip")]
    else:
        folders = [*environment.glob("lib/python3*/site-packages"), environment / "Lib" / "site-packages"]
    prefix = f"{package}-"
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in sorted(names):
            if name.startswith(prefix) and name.endswith(".dist-info"):
                version = name[len(prefix) : -len(".dist-info")]
                if version:
                    return version
    return None


def pinned_version(package: str, folder: Path) -> tuple[str, str] | None:
    """(version, file) of a `package==X` pin in ``folder``'s requirements files or pyproject.toml."""
    pin = re.compile(rf"(?<![\w.-]){re.escape(package)}\s*===?\s*v?([0-9][\w.]*)", re.IGNORECASE)
    try:
        files = [*sorted(folder.glob("requirements*.txt")), folder / "pyproject.toml"]
    except OSError:
        return None
    for file in files:
        try:
            text = file.read_text(encoding="utf-8", errors="replace")[:200_000]
        except OSError:
            continue
        for line in text.splitlines():
            match = pin.search(line.split("#", 1)[0])
            if match:
                return match.group(1).rstrip("."), str(file)
    return None


@record(frozen=True, slots=True)
class Detected:
    llamafactory: str | None
    transformers: str | None
    source: str


def detect(python_env: Path | None, launch_dir: Path) -> Detected:
    """The versions that will run the configs, from what is installed or pinned."""
    if python_env is not None:
        where = f"installed in {python_env}"
        return Detected(
            installed_version("llamafactory", python_env), installed_version("transformers", python_env), where
        )
    llamafactory = installed_version("llamafactory", None)
    if llamafactory is not None:  # this interpreter is the trainer's environment
        return Detected(llamafactory, installed_version("transformers", None), "installed in this environment")
    transformers_pin = pinned_version("transformers", launch_dir)
    llamafactory_pin = pinned_version("llamafactory", launch_dir)
    pins = [p for p in (transformers_pin, llamafactory_pin) if p is not None]
    return Detected(
        llamafactory_pin[0] if llamafactory_pin is not None else None,
        transformers_pin[0] if transformers_pin is not None else None,
        f"pinned in {pins[0][1]}" if pins else "",
    )


def assumed(settings: Settings) -> dict[str, dict[str, str | None]]:
    """The versions the verdicts are for, as `--format json` reports them."""
    env = target(settings)
    return {
        "llamafactory": {
            "version": release_name(settings.llamafactory_version),
            "requested": settings.llamafactory_version,
            "source": settings.llamafactory_source or "lorachecks' default (the newest release)",
        },
        "transformers": {"version": env.shown, "source": env.source},
    }

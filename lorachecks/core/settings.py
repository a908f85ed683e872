"""Run-wide options: what the CLI and the project's configuration decide."""

from __future__ import annotations

from pathlib import Path

from lorachecks.core.diagnostics import Severity
from lorachecks.core.records import field, record


@record(slots=True)
class Settings:
    format: str | None = None  # force a format instead of detecting it
    path_checks: bool = True  # checks that need models/data present on this machine
    strict: bool = False  # warnings fail the run too
    select: frozenset[str] = frozenset()  # code prefixes to enable (empty: all)
    ignore: frozenset[str] = frozenset()  # code prefixes to disable
    # Directory the trainer is launched from: relative paths in configs resolve here.
    launch_dir: Path = field(default_factory=Path.cwd)
    # LLaMA-Factory release the verdicts follow ("latest" = the tracked commit).
    llamafactory_version: str = "latest"
    llamafactory_source: str = ""  # where the release came from ("" = the default)
    # transformers release that runs the configs (None: the range the LLaMA-Factory release
    # allows), where that came from, and the environment it was read from.
    transformers_version: str | None = None
    # sd-scripts script that reads kohya training configs (None: inferred from each file).
    kohya_script: str | None = None
    transformers_source: str = ""
    python_env: Path | None = None
    max_file_bytes: int = 10 * 1024 * 1024
    # Memory budget for the VRAM estimate rules (LC5xx): GiB per GPU and GPU count.
    gpu_memory_gib: float | None = None
    gpus: int = 1
    # Performance: worker processes (None = decide from the file count) and result cache.
    jobs: int | None = None
    cache_dir: Path | None = None
    # yamllint's style findings (LC700): None = where the project has a yamllint configuration.
    yamllint: bool | None = None
    # Severity changes from the project configuration: code or prefix -> new level.
    severity: dict[str, Severity] = field(default_factory=dict)

    def enabled(self, code: str, aliases: tuple[str, ...] = ()) -> bool:
        """Whether the rule ``code`` (still selected by its older ``aliases``) runs."""
        if not self.select and not self.ignore:
            return True  # the default, asked for every rule of every file
        if self.select and not any(selects(p, code, aliases) for p in self.select):
            return False
        return not any(selects(p, code, aliases) for p in self.ignore)

    def severity_for(self, code: str, default: Severity, aliases: tuple[str, ...] = ()) -> Severity:
        """The level a finding is reported at: the longest matching severity change wins."""
        if not self.severity:
            return default
        matches = [p for p in self.severity if selects(p, code, aliases)]
        return self.severity[max(matches, key=len)] if matches else default


def selects(selector: str, code: str, aliases: tuple[str, ...] = ()) -> bool:
    """Whether a code or prefix a user wrote (``LC3``, ``LC340``) names the rule ``code``,
    directly or through one of its older codes (``LC301`` names every rule aliased to it)."""
    return code.startswith(selector) or any(a.startswith(selector) for a in aliases)

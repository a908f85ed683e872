"""Project configuration: ``[tool.lorachecks]`` in pyproject.toml, or a ``lorachecks.toml``.

Like ruff, the configuration is found by walking up from each linted file's folder; the
nearest file wins (in one folder, ``lorachecks.toml`` before ``pyproject.toml``; a
pyproject.toml without a ``[tool.lorachecks]`` table does not count). Lookups are cached
per folder. Options given on the command line override the file.

    [tool.lorachecks]
    select = ["LC1", "LC2"]            # rule codes or prefixes, or "ALL" (default: every rule)
    ignore = ["LC302"]
    format = "llamafactory"            # force the input format instead of detecting it
    path-checks = false                # skip checks that need models/data on this machine
    launch-dir = "third_party/LLaMA-Factory"   # relative to this file's folder
    llamafactory-version = "0.9.3"
    transformers-version = "4.52.4"    # the release that runs the configs (default: detected)
    kohya-script = "sdxl_train_network"   # the sd-scripts script that reads kohya training configs
    python-env = ".venv"               # environment whose installed versions decide
    gpu-memory = "24GB"                # per GPU (GB and GiB both mean GiB), or a number
    gpus = 2
    strict = true
    yamllint = true                    # yamllint's style findings (LC700); default: where a .yamllint exists
    severity = { LC302 = "info", LC109 = "off" }   # error, warning, info or off

    [tool.lorachecks.per-path."legacy/**/*.yaml"]  # glob, relative to this file's folder
    llamafactory-version = "0.9.3"
    ignore = ["LC102"]
    severity = { LC101 = "warning" }

Per-path sections apply in file order to the files their glob matches: ``select`` replaces
the selection, ``ignore`` adds to it, ``severity`` entries are merged, the other keys
replace the value. A glob without ``/`` matches the file name in any folder; ``**``
matches any number of folders.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lorachecks.core.diagnostics import Severity
from lorachecks.core.options import LINT_OPTIONS, LintOption
from lorachecks.core.records import field, fields, record, replace
from lorachecks.core.settings import Settings

if TYPE_CHECKING:
    from lorachecks.core.diagnostics import FileResult

CONFIG_FILE = "lorachecks.toml"
PYPROJECT = "pyproject.toml"
LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "off": None}

# The keys a configuration file takes: the lint options that have one (lorachecks/core/options.py),
# plus the file's own tables.
_OPTION_KEYS: dict[str, LintOption] = {o.config_key: o for o in LINT_OPTIONS if o.config_key}
_TOP_KEYS = (*_OPTION_KEYS, "severity", "per-path")
_PER_PATH_KEYS = (*(k for k, o in _OPTION_KEYS.items() if o.per_path), "severity")


class ConfigError(Exception):
    """A configuration file lorachecks cannot use; the message names the file and the key."""


@record(frozen=True, slots=True)
class Options:
    """One layer of options (the file's top level, or a per-path section)."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity | None] = field(default_factory=dict)  # None: "off"
    values: Mapping[str, Any] = field(default_factory=dict)  # Settings field -> value


@record(frozen=True, slots=True)
class PathOverride:
    pattern: str
    regex: re.Pattern[str]
    options: Options

    def matches(self, relative: str) -> bool:
        target = relative if "/" in self.pattern else relative.rsplit("/", 1)[-1]
        return self.regex.fullmatch(target) is not None


@record(frozen=True, slots=True)
class ProjectConfig:
    path: Path  # the file it was read from
    options: Options
    overrides: tuple[PathOverride, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    def layers(self, file: Path | str) -> list[Options]:
        """The option layers that apply to ``file``: the top level, then matching sections."""
        if not self.overrides:
            return [self.options]
        absolute = os.path.abspath(file)
        root = os.path.join(str(self.root), "")
        relative = absolute[len(root) :] if absolute.startswith(root) else os.path.basename(absolute)
        relative = relative.replace(os.sep, "/")
        return [self.options, *(o.options for o in self.overrides if o.matches(relative))]


def _toml() -> Any:
    return importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")


def load_config(path: Path) -> ProjectConfig | None:
    """Read one configuration file; None for a pyproject.toml without [tool.lorachecks]."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc}") from exc
    is_pyproject = path.name == PYPROJECT
    if is_pyproject and "lorachecks" not in text:
        return None
    toml = _toml()
    try:
        document = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if is_pyproject:
        table = document.get("tool", {}).get("lorachecks") if isinstance(document.get("tool"), dict) else None
        if table is None:
            return None
        where = "[tool.lorachecks]"
    else:
        table, where = document, CONFIG_FILE
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    return _parse(path, table, where)


def _parse(path: Path, table: dict[str, Any], where: str) -> ProjectConfig:
    table = _normalised(path, table, where, _TOP_KEYS)
    overrides = []
    sections = table.pop("per-path", {})
    if not isinstance(sections, dict):
        raise ConfigError(f"{path}: {where} per-path must be a table of glob = {{ options }}")
    for pattern, section in sections.items():
        here = f"{where} per-path {pattern!r}"
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: {here} must be a table of options")
        options = _options(path, _normalised(path, section, here, _PER_PATH_KEYS), here)
        overrides.append(PathOverride(pattern, glob_regex(pattern), options))
    return ProjectConfig(path, _options(path, table, where), tuple(overrides))


def _normalised(path: Path, table: dict[str, Any], where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = str(key).replace("_", "-")
        if name not in allowed:
            from lorachecks.core.suggest import closest

            guess = closest(name.replace("-", "_"), [a.replace("-", "_") for a in allowed], cutoff=0.6)
            hint = f" (did you mean `{guess.replace('_', '-')}`?)" if guess else f"; known keys: {', '.join(allowed)}"
            raise ConfigError(f"{path}: {where}: unknown key `{key}`{hint}")
        out[name] = value
    return out


def _options(path: Path, table: dict[str, Any], where: str) -> Options:
    from lorachecks.engine.option_values import OptionError, setting_value

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{path}: {where}: `{key}` {problem}")

    values: dict[str, Any] = {}
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    for key, value in table.items():
        option = _OPTION_KEYS.get(key)
        if option is None:
            continue  # severity, below; per-path sections are read by _parse
        try:
            converted = setting_value(option.param, value, path.parent)
        except OptionError as exc:
            raise fail(key, str(exc)) from None
        if option.param == "select":
            select = converted
        elif option.param == "ignore":
            ignore = converted
        else:
            values[option.field] = converted
        if option.param in ("llamafactory_version", "transformers_version"):
            values[option.param.replace("version", "source")] = f"set in {path.name}"
    severity = _severity(table.get("severity", {}), lambda p: fail("severity", p))
    return Options(select, ignore, severity, values)


def _severity(value: object, fail: Any) -> dict[str, Severity | None]:
    from lorachecks.engine.option_values import OptionError, check_code

    if not isinstance(value, dict):
        raise fail('must be a table such as { LC302 = "info" }')
    out: dict[str, Severity | None] = {}
    for code, level in value.items():
        name = str(code).strip().upper()
        try:
            check_code(name)
        except OptionError as exc:
            raise fail(str(exc)) from None
        if not isinstance(level, str) or level.lower() not in LEVELS:
            raise fail(f"gives {code} the level {level!r}; use error, warning, info or off")
        out["LC" if name == "ALL" else name] = LEVELS[level.lower()]
    return out


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: ``*`` and ``?`` stay in one folder, ``**/`` spans folders."""
    text = pattern.strip().removeprefix("./")
    out, i = "", 0
    while i < len(text):
        char = text[i]
        if text.startswith("**/", i):
            out, i = out + "(?:[^/]*/)*", i + 3
        elif text.startswith("**", i):
            out, i = out + ".*", i + 2
        elif char == "*":
            out, i = out + "[^/]*", i + 1
        elif char == "?":
            out, i = out + "[^/]", i + 1
        elif char == "[" and (close := text.find("]", i + 2)) != -1:
            body = text[i + 1 : close]
            body = "^" + body[1:] if body.startswith("!") else body
            out, i = out + f"[{body.replace(chr(92), chr(92) * 2)}]", close + 1
        else:
            out, i = out + re.escape(char), i + 1
    return re.compile(out.rstrip("/") if out.endswith("/") else out)


def find_config(directory: Path, cache: dict[Path, ProjectConfig | None] | None = None) -> ProjectConfig | None:
    """The nearest configuration at or above ``directory`` (absolute), cached per folder."""
    cache = {} if cache is None else cache
    visited: list[Path] = []
    found: ProjectConfig | None = None
    folder: Path | None = directory.absolute()
    while folder is not None:
        if folder in cache:
            found = cache[folder]
            break
        visited.append(folder)
        found = _config_in(folder)
        if found is not None:
            break
        folder = folder.parent if folder.parent != folder else None
    for seen in visited:
        cache[seen] = found
    return found


def _config_in(folder: Path) -> ProjectConfig | None:
    for name in (CONFIG_FILE, PYPROJECT):
        candidate = folder / name
        if candidate.is_file():
            config = load_config(candidate)
            if config is not None:
                return config
    return None


@record
class Resolver:
    """Per-file Settings: the CLI's base settings, the nearest project config, CLI overrides.

    ``explicit`` names the Settings fields given on the command line; those win over the
    file. ``config`` forces one configuration for every file (``--config``); ``isolated``
    ignores configuration files altogether.
    """

    base: Settings
    explicit: frozenset[str] = frozenset()
    config: ProjectConfig | None = None
    isolated: bool = False
    _cache: dict[Path, ProjectConfig | None] = field(default_factory=dict)
    _by_folder: dict[str, ProjectConfig | None] = field(default_factory=dict)
    _settings: dict[tuple[int, ...], Settings] = field(default_factory=dict)

    def config_for(self, path: Path | str) -> ProjectConfig | None:
        if self.isolated:
            return None
        if self.config is not None:
            return self.config
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._by_folder:
            self._by_folder[folder] = find_config(Path(folder), self._cache)
        return self._by_folder[folder]

    def __call__(self, path: Path) -> Settings:
        config = self.config_for(path)
        if config is None:
            return self.base
        layers = config.layers(path)
        key = (id(config), *(id(layer) for layer in layers))
        if key not in self._settings:
            self._settings[key] = self._merge(layers)
        return self._settings[key]

    def _merge(self, layers: Iterable[Options]) -> Settings:
        select: frozenset[str] | None = None
        ignore: set[str] = set()
        severity: dict[str, Severity | None] = {}
        values: dict[str, Any] = {}
        for layer in layers:
            if layer.select is not None:
                select = layer.select
            ignore |= layer.ignore
            severity.update(layer.severity)
            values.update(layer.values)
        known = set(fields(Settings))
        changes = {k: v for k, v in values.items() if k in known and k not in self.explicit}
        for name in ("llamafactory", "transformers"):  # a version given on the command line keeps its source
            if f"{name}_version" in self.explicit:
                changes.pop(f"{name}_source", None)
        if "select" in self.explicit:  # the command line's selection replaces the file's
            select, ignore = None, set()
            severity = {k: v for k, v in severity.items() if v is not None}
        off = {code for code, level in severity.items() if level is None}
        changes["select"] = self.base.select if "select" in self.explicit else (select or frozenset())
        changes["ignore"] = frozenset(ignore | off | self.base.ignore)
        changes["severity"] = {**{k: v for k, v in severity.items() if v is not None}, **self.base.severity}
        return replace(self.base, **changes)

    def failed(self, files: Iterable[FileResult]) -> bool:
        """Exit status 1: an error anywhere, or a warning in a file whose settings are strict."""
        return any(
            d.severity is Severity.ERROR or (d.severity is Severity.WARNING and self(f.path).strict)
            for f in files
            for d in f.diagnostics
        )


def project_settings(
    base: Settings, explicit: Iterable[str], config: Path | None = None, isolated: bool = False
) -> Resolver:
    """Per-file settings for a run: ``base`` (the command line, whose ``explicit`` fields win)
    over the nearest project configuration, or over ``config`` when given. Raises ConfigError."""
    forced = load_config(config) if config is not None and not isolated else None
    if config is not None and not isolated and forced is None:
        raise ConfigError(f"{config}: no [tool.lorachecks] table")
    return Resolver(base, frozenset(explicit), forced, isolated)

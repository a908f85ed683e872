"""yamllint's style findings on a YAML config, where the project uses yamllint.

The message starts with the yamllint rule (`[line-length]`); its level is yamllint's (error
or warning). yamllint's own configuration decides which rules run, and its `# yamllint
disable-line rule:...` comments apply. Syntax errors stay LC001's. Needs yamllint installed
(`pip install yamllint`, or the `yamllint` extra); without it, it is skipped unless asked
for explicitly.

Why it matters: a project that already runs yamllint (it has a `.yamllint`, `.yamllint.yaml`
or `.yamllint.yml` in the config's folder or above) wants its style rules on the training
configs too. Reported through lorachecks, one hook and one CI step give both: the same
reporters, the same editor diagnostics, the same exit code.

Example (with `line-length: {max: 80}` in .yamllint), reported:

    model_name_or_path: /very/long/path/that/goes/on/and/on/and/on/past/the/limit/of/eighty/chars

Options: runs when a yamllint configuration is found, or always with `yamllint = true` in
the project configuration (`--yamllint`; yamllint's defaults when there is none);
`yamllint = false` or `--no-yamllint` turns it off.

Trainer source: none; trainers ignore style.

When the trainer stops: it does not; these findings say nothing about the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lorachecks.core import fsmemo
from lorachecks.core.diagnostics import Severity
from lorachecks.loader import Position
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC700"
NAME = "yamllint"
SEVERITY = Severity.WARNING
FORMATS = None  # every recognised config written in YAML

CONFIG_NAMES = (".yamllint", ".yamllint.yaml", ".yamllint.yml")  # yamllint's own search order


def check(ctx: RuleContext) -> Iterator[Finding]:
    wanted = ctx.settings.yamllint
    if ctx.doc.syntax != "yaml" or wanted is False or ctx.format is None:
        return
    path = ctx.doc.path.resolve()
    found = project_config(path.parent)
    if found is None and wanted is None:
        return  # the project does not use yamllint
    linter = _yamllint()
    if linter is None:
        if wanted:
            yield Finding("yamllint is asked for but not installed: pip install yamllint")
        return
    conf, problem = _config(found)
    if conf is None:
        yield Finding(f"cannot read the yamllint configuration {found}: {problem}", severity=Severity.ERROR)
        return
    relative = path.relative_to(found.parent) if found is not None and path.is_relative_to(found.parent) else path
    if conf.is_file_ignored(str(relative)):
        return
    for lint in linter.run(ctx.doc.text, conf, str(relative)):
        if lint.rule is None:
            continue  # a syntax error: LC001 reports it
        level = Severity.ERROR if lint.level == "error" else Severity.WARNING
        yield Finding(f"[{lint.rule}] {lint.desc}", position=Position(lint.line, lint.column), severity=level)


def _yamllint() -> Any:
    """yamllint's linter module, imported without letting it change how PyYAML reads values.

    Importing yamllint adds a YAML 1.2 integer resolver (``0o17`` as a number) to PyYAML's
    base Resolver, for every loader in the process: the trainers' PyYAML would then be read
    wrongly by everything linted afterwards. The resolvers are put back as they were; only
    yamllint's quoted-strings rule reads ``0o``-prefixed text differently for it."""
    import copy

    import yaml

    saved = copy.deepcopy(yaml.resolver.Resolver.yaml_implicit_resolvers)
    try:
        from yamllint import config, linter
    except ImportError:
        return None
    finally:
        yaml.resolver.Resolver.yaml_implicit_resolvers = saved
    del config  # imported here so that its rule modules load under the guard
    return linter


def project_config(folder: Path) -> Path | None:
    """The yamllint configuration yamllint itself would use for files in ``folder``: the
    first of its names in the folder or a parent, up to the home folder or the root."""
    home = Path.home()
    for current in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = current / name
            if fsmemo.is_file(candidate):
                return candidate
        if current == home:
            return None
    return None


def _config(path: Path | None) -> tuple[Any, str | None]:
    from yamllint.config import YamlLintConfig, YamlLintConfigError

    try:
        if path is None:
            return YamlLintConfig("extends: default"), None
        return YamlLintConfig(file=str(path)), None
    except (OSError, YamlLintConfigError) as exc:
        return None, str(exc)

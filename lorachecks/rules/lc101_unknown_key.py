"""A key the trainer does not know.

Keys are case-sensitive and use snake_case; camelCase, capitals and spaces are all unknown
keys. A key that exists only in a newer release than the one you target is reported too,
naming the release that added it. The hint suggests the closest known key.

Why it matters: LLaMA-Factory refuses the whole file ("Some keys are not used by the
HfArgumentParser"), after the job has queued and the model has downloaded; so do the
lora-scripts schema and kohya dataset configs ("extra keys not allowed"). kohya sd-scripts
training configs are worse: the key is silently ignored, so the setting does nothing (a
warning; SD-Trainer's own `default.toml` ships `lr_restart_cycles`, which sd-scripts
names `lr_scheduler_num_cycles`) when it changes a value; when the option it means already has
that value (kohya_ss' `epoch` next to `max_train_epochs`), or the key belongs to another tool
(`noise_offset_type`), it changes nothing and is a note.

Example, bad:

    lora_rnak: 8
    loraAlpha: 16

Good:

    lora_rank: 8
    lora_alpha: 16

Fix safety: the fix renames the key in place, keeping its value and comment, only when the
suggestion is certain (a camelCase spelling of a known key, or a one-letter typo with a
single candidate) and the file does not set that key already. Any other unknown key is
left for you to rename or remove.

Options: `--llamafactory-version` (configuration `llamafactory-version`) decides which keys
exist for LLaMA-Factory; `--kohya-script` which script reads a kohya training config.

Trainer source: transformers `hf_argparser.py` `HfArgumentParser.parse_dict`, called by
LLaMA-Factory `hparams/parser.py` `_parse_args` without `allow_extra_keys`; sd-scripts
`library/train_util.py` `read_config_from_file` puts every key on the argparse namespace,
where an unknown one is never read; `library/config_util.py` `ConfigSanitizer` validates a
dataset config with voluptuous, which refuses extra keys.

When the trainer stops: LLaMA-Factory and a kohya dataset config at start-up, before the
model loads; a kohya training config never (the key does nothing).
"""

from collections.abc import Iterator
from functools import lru_cache

from lorachecks.core.diagnostics import Severity
from lorachecks.core.suggest import certain_key, closest
from lorachecks.formats.kohya.fields import DEFAULTS as KOHYA_DEFAULTS
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.edits import rename_key

CODE = "LC101"
NAME = "unknown-key"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")
FIXABLE = True  # camelCase keys and one-letter typos with a single, certain suggestion


@lru_cache(maxsize=512)
def _closest(name: str, known: frozenset[str]) -> str | None:
    """Suggestions cost a scan of every key: the same typo in many files is looked up once."""
    return closest(name, known)


@lru_cache(maxsize=512)
def _certain_key(name: str, known: frozenset[str]) -> str | None:
    return certain_key(name, known)


def check(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    every = ctx.format.all_keys
    known = ctx.format.known_keys(ctx.settings)
    for key in ctx.data:
        name = str(key)
        if name in known or name in ctx.format.renamed or name in ctx.format.transformers_only:
            continue  # LC102 reports renamed keys and those only some transformers releases accept
        if name in every:
            yield Finding(
                f"`{name}` is not available in the targeted {ctx.format.title} release "
                f"({ctx.settings.llamafactory_version}); it was added later",
                name,
                "upgrade the trainer, or target a newer release with --llamafactory-version",
            )
            continue
        if ctx.format.name == "kohya":
            yield _kohya_unknown(ctx, name, known)
            continue
        alias = ctx.format.aliases.get(name, "")
        guess = None if " " in alias else alias or _closest(name, known)
        hint = (
            alias
            if " " in alias
            else f"did you mean `{guess}`?"
            if guess
            else "remove it, or check the spelling against `lorachecks schema`"
        )
        certain = _certain_key(name, known)
        fix = None
        if certain is not None and certain not in ctx.data:
            fix = rename_key(ctx.doc, (name,), certain, f"rename `{name}` to `{certain}`")
        yield Finding(
            f"unknown key `{name}`: {ctx.format.unknown_key_effect}",
            name,
            hint,
            severity=ctx.format.unknown_key_severity,
            fix=fix,
        )


_UNSET = object()


def _kohya_unknown(ctx: RuleContext, name: str, known: frozenset[str]) -> Finding:
    """sd-scripts keeps unknown keys in its namespace and never reads them: the key does nothing.

    That matters only when the key carries a setting the run then lacks: a warning when it
    certainly means an option (a known spelling from another tool, or a one-edit typo) and its
    value differs from what that option already is; otherwise a note (GUI bookkeeping such as
    kohya_ss' `epoch` beside `max_train_epochs`, or keys of other tools).
    """
    assert ctx.format is not None
    value = ctx.data[name]
    alias = ctx.format.aliases.get(name, "")
    if " " in alias:  # an option sd-scripts reads only inside network_args
        return Finding(f"unknown key `{name}`: {ctx.format.unknown_key_effect}", name, alias, severity=Severity.WARNING)
    meant = alias or _certain_key(name, known)
    if meant is None:
        return Finding(
            f"unknown key `{name}`: sd-scripts ignores it (a key of another tool or GUI?), so it changes nothing",
            name,
            "remove it, or check the spelling against `lorachecks schema`",
            severity=Severity.INFO,
        )
    current = ctx.data.get(meant, KOHYA_DEFAULTS.get(meant, _UNSET))
    fix = None if meant in ctx.data else rename_key(ctx.doc, (name,), meant, f"rename `{name}` to `{meant}`")
    if current == value:
        where = "sets the same value" if meant in ctx.data else "has this value by default"
        return Finding(
            f"unknown key `{name}`: sd-scripts ignores it, and `{meant}` {where}, so nothing changes",
            name,
            f"remove it, or write `{meant}`",
            severity=Severity.INFO,
            fix=fix,
        )
    if meant in ctx.data:  # name what the run really uses instead
        effect = f"sd-scripts ignores it, so this run uses `{meant}` = {current!r}, not {value!r}"
    elif current is _UNSET or current is None:
        effect = f"sd-scripts ignores it, so `{meant}` stays unset"
    else:
        effect = f"sd-scripts ignores it, so `{meant}` stays at its default {current!r}"
    return Finding(
        f"unknown key `{name}`: {effect}",
        name,
        f"did you mean `{meant}`?",
        severity=Severity.WARNING,
        fix=fix,
    )

"""A key that an earlier release accepted but the current one renamed or removed.

Keys of transformers' `TrainingArguments` that transformers 5 dropped (`save_safetensors`,
`no_cuda`, `push_to_hub_organization`, ...) are judged with the transformers release that
runs the config: the one installed in `--python-env` (or in this environment, when
LLaMA-Factory is installed here), a `transformers==X` pin in the launch directory's
requirements files, `--transformers-version`, or else every release the targeted
LLaMA-Factory allows. Accepted there: nothing to report; refused: an error (the run stops
at start-up); accepted by some of the allowed releases only: a warning. The message names
the release(s) the verdict is for.

Why it matters: configs copied from older tutorials keep the old names; the trainer now
rejects them as unknown keys (`evaluation_strategy` became `eval_strategy`, `dpo_beta`
became `pref_beta`).

Example, bad:

    evaluation_strategy: steps

Good:

    eval_strategy: steps

Fix safety: the fix renames the key to its new name in place, keeping the value, only for
pure renames (the new key means the same thing and takes the same values) and only when
the file does not set the new name already. Removed keys have no fix.

Options: `--llamafactory-version`, `--transformers-version` and `--python-env`
(configuration `llamafactory-version`, `transformers-version`, `python-env`) choose the
releases the verdict follows.

Trainer source: transformers `hf_argparser.py` `HfArgumentParser.parse_dict` refuses the
old key as unknown (LLaMA-Factory `hparams/parser.py` `_parse_args`); the renames are
LLaMA-Factory's (`hparams/finetuning_args.py`, the release notes) and transformers'
(`training_args.py`).

When the trainer stops: at start-up, before the model loads.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.edits import rename_key

CODE = "LC102"
NAME = "renamed-key"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
FIXABLE = True  # pure renames, when the file does not set the new name already


def check(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    for key in ctx.data:
        if str(key) in ctx.format.transformers_only:
            yield from _transformers_key(ctx, str(key))
            continue
        renamed = ctx.format.renamed.get(str(key))
        if renamed is None:
            continue
        hint = f"use `{renamed.replacement}`" if renamed.replacement else None
        fix = None
        if renamed.replacement and renamed.pure_rename and renamed.replacement not in ctx.data:
            fix = rename_key(ctx.doc, (str(key),), renamed.replacement, f"rename `{key}` to `{renamed.replacement}`")
        yield Finding(
            f"`{key}` is no longer accepted: {renamed.note}",
            str(key),
            hint,
            severity=None if renamed.fatal else Severity.WARNING,
            fix=fix,
        )


def _transformers_key(ctx: RuleContext, key: str) -> Iterator[Finding]:
    """A transformers 4.x key: accepted or refused by the release that runs the config."""
    from lorachecks.formats.llamafactory import environment

    env = environment.target(ctx.settings)
    verdict = environment.accepted(key, ctx.settings.llamafactory_version, env)
    if verdict is True:
        return
    assert ctx.format is not None
    renamed = ctx.format.renamed.get(key)
    last = environment.UNTIL[key]
    hint = f"use `{renamed.replacement}`" if renamed is not None and renamed.replacement else "remove it"
    if verdict is False:
        message = (
            f"`{key}` is refused by {env.describe()}: transformers dropped it after {last}, "
            "so the run stops at start-up (unknown key)"
        )
        severity = None
    else:
        message = (
            f"`{key}` is accepted only up to transformers {last}, and the run may use {env.describe()}: "
            "with a later release it stops at start-up (unknown key)"
        )
        hint += "; or state the release with --transformers-version / --python-env"
        severity = Severity.WARNING
    fix = None
    if renamed is not None and renamed.replacement and renamed.pure_rename and renamed.replacement not in ctx.data:
        fix = rename_key(ctx.doc, (key,), renamed.replacement, f"rename `{key}` to `{renamed.replacement}`")
    yield Finding(message, key, hint, severity=severity, fix=fix)

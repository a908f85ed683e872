"""A key that an earlier release accepted but the current one renamed or removed.

Why it matters: configs copied from older tutorials keep the old names; the trainer now
rejects them as unknown keys (`evaluation_strategy` became `eval_strategy`, `dpo_beta`
became `pref_beta`). Keys removed only by transformers 5 still work with transformers 4.x,
so those are warnings.

Example, bad:

    evaluation_strategy: steps

Good:

    eval_strategy: steps
"""

from collections.abc import Iterator

from lorachecks.diagnostics import Severity
from lorachecks.edits import rename_key
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC102"
NAME = "renamed-key"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)
FIXABLE = True  # pure renames, when the file does not set the new name already


def check(ctx: RuleContext) -> Iterator[Finding]:
    assert ctx.format is not None
    for key in ctx.data:
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

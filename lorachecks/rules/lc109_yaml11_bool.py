"""A boolean option written as `yes`, `no`, `on` or `off` instead of `true` or `false`.

Why it matters: the trainers' YAML 1.1 loaders (PyYAML, OmegaConf) read these words as
booleans, but YAML 1.2 readers do not: editors validating against the exported JSON Schema
(yaml-language-server), check-jsonschema and most non-Python tools see the text "yes" and
flag or mishandle the option. `true`/`false` mean the same everywhere.

Example, bad:

    do_train: yes
    bf16: on

Good:

    do_train: true
    bf16: true

Fix safety: the fix replaces the word by `true` or `false`, the value the trainer's own
loader already reads, so the run does not change; only unquoted words of boolean options
are rewritten.

Trainer source: PyYAML's YAML 1.1 boolean resolver, which OmegaConf's loader (LLaMA-Factory
`hparams/parser.py` `read_args`) and lora-scripts' `safe_load` both use.

When the trainer stops: it does not: the option is read as the boolean you meant.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.edits import bool_word, bool_word_fix

CODE = "LC109"
NAME = "yaml11-bool"
SEVERITY = Severity.INFO
FORMATS = None  # every format with a schema, YAML files only
FIXABLE = True


def check(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.format is None or ctx.format.schema_path is None or ctx.doc.syntax != "yaml":
        return
    fields = ctx.format.all_keys
    for key, value in ctx.data.items():
        if not isinstance(value, bool) or key not in fields or key in ctx.validation.field_errors:
            continue
        word = bool_word(ctx.doc, (key,))
        if word is None:
            continue
        new = "true" if value else "false"
        yield Finding(
            f"`{key}: {word}` is a YAML 1.1 boolean: the trainer reads {new}, YAML 1.2 readers read the text {word!r}",
            key,
            f"write `{new}`",
            at="value",
            fix=bool_word_fix(ctx.doc, (key,), value),
        )

"""A value has the wrong type for its key.

A quoted boolean (`do_train: "true"`) reaches LLaMA-Factory as text, and any non-empty text
counts as true: `"true"` works by accident (a warning), `"false"` turns the option on (an
error). Python's spelling of null is text in YAML: `enable_thinking: None` reaches the
trainer as the string 'None', which counts as true, so thinking mode stays on where `null`
would turn it into the prompt-only mode (an error). An int for a boolean
(`save_only_model: 1`) runs as written, since the trainer tests truthiness: a note. Only
`enable_thinking` is compared with `is False`, so `0` there does not switch it off (an
error). A kohya flag written `1` or `0` is a note for the same reason.

Why it matters: LLaMA-Factory converts no types on the YAML path, so a quoted number
reaches the optimizer or PEFT as text and fails deep inside training (`TypeError: '<=' not
supported between instances of 'float' and 'str'`). PyYAML-based trainers (lora-scripts)
read `2e-4` as text because YAML 1.1 needs a dot in a float (and a sign in its exponent:
`2.0e+4`). kohya sd-scripts converts nothing in a config file either: `network_dim = "8"`
stays text and the run stops when the adapter is built, after the model has loaded; so
does `network_dim = 8.0` (torch refuses a float layer size in `create_network`), and
`max_train_steps = 1e3` stops at the step loop's `range()`.

Example, bad:

    lora_rank: "16"
    max_steps: ten

Good:

    lora_rank: 16
    max_steps: 10

Fix safety: only a number in exponent form that a YAML 1.1 reader takes for text
(`2e-4`) is fixed, by writing the same number with a dot (`2.0e-4`), which every YAML
reader takes for that float. Quoted values are left alone: removing quotes can change
what the option does.

Options: `--llamafactory-version` (0.9.3 and older read YAML with PyYAML: `1e-4` is text
there as well).

Trainer source: transformers `hf_argparser.py` `HfArgumentParser.parse_dict` builds the
dataclasses from the values as loaded, without conversion (LLaMA-Factory
`hparams/parser.py` `_parse_args`); sd-scripts `library/train_util.py`
`read_config_from_file` passes the TOML values to argparse as a namespace, and argparse
applies `type=` only to the command line.

When the trainer stops: where the value is first used: at start-up for some (a text
learning rate in the optimizer), after the model loads for others (a text rank in PEFT or
`create_network`), or never (a quoted `"false"` runs with the option on).
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.core.records import replace
from lorachecks.rules.context import Finding, RuleContext
from lorachecks.rules.field_errors import errors_of_kind, finding_for

CODE = "LC104"
NAME = "wrong-type"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory", "lora-scripts", "kohya", "kohya-dataset")
FIXABLE = True  # exponent numbers such as `2e-4` that PyYAML reads as text


_READS_TRUE = frozenset({"true", "yes", "on", "y", "1"})
_READS_FALSE = frozenset({"false", "no", "off", "n", "0", ""})
_NULL_WORDS = frozenset({"none", "null", "nil"})
# LLaMA-Factory options it compares with `is False` (data/template.py), not by truthiness.
_IDENTITY_CHECKED = frozenset({"enable_thinking"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from ctx.schema_findings(CODE)  # nested keys (kohya dataset config)
    for key, value, errors in errors_of_kind(ctx, "type"):
        finding = finding_for(ctx, key, value, errors)
        llamafactory = ctx.format is not None and ctx.format.name == "llamafactory"
        kohya = ctx.format is not None and ctx.format.name == "kohya"
        is_bool_error = any(e["type"] == "bool_type" for e in errors)
        if kohya and not is_bool_error and isinstance(value, str):
            finding = replace(finding, message=f"{finding.message}: {_kohya_text_effect(key)}")
        elif kohya and isinstance(value, float) and key in _KOHYA_FLOAT_STOPS:
            finding = replace(finding, message=f"{finding.message}: {_KOHYA_FLOAT_STOPS[key]}")
        elif kohya and key == "save_every_n_epochs" and isinstance(value, float) and value.is_integer():
            finding = _float_save_every_n_epochs(ctx, finding, value)
        if (llamafactory or kohya) and is_bool_error and isinstance(value, int) and not isinstance(value, bool):
            if key in _IDENTITY_CHECKED and value == 0:
                finding = replace(
                    finding,
                    message=f"{finding.message}: LLaMA-Factory tests `{key} is False`, so 0 keeps the reasoning "
                    "in the answers that `false` removes (when the data is encoded, at start-up)",
                    hint="write `false`",
                )
            elif value in (0, 1):
                finding = replace(
                    finding,
                    message=f"`{key}` is the int {value}, not a boolean: the trainer tests its truthiness, "
                    f"so it acts as `{'true' if value else 'false'}` (runs as written)",
                    hint=f"write `{'true' if value else 'false'}`",
                    severity=Severity.INFO,
                )
        elif (llamafactory or kohya) and is_bool_error and isinstance(value, str):
            word = value.strip().lower()
            if word in _NULL_WORDS:
                finding = replace(
                    finding,
                    message=f"{finding.message}: YAML reads `{value}` as text, not null, and the trainer counts "
                    f"any non-empty text as true, so `{key}` is on"
                    + (" (the empty thought is trained as part of the answer)" if key == "enable_thinking" else ""),
                    hint="write `null` (or `~`) for no value, or `true` / `false`",
                )
            elif word in _READS_TRUE:  # the trainer tests truthiness: this text works as true
                finding = replace(
                    finding,
                    message=f"{finding.message}: it works only because any non-empty text counts as true",
                    severity=Severity.WARNING,
                )
            elif word in _READS_FALSE and word:
                finding = replace(
                    finding,
                    message=f"{finding.message}: the trainer counts any non-empty text as true, so this turns `{key}` on",
                    runs=True,
                )
        yield finding


# Where sd-scripts stops on a float written for an int (read in train_network.py,
# networks/lora.py and accelerate's set_seed): a float size or step count is refused by torch / range().
_KOHYA_FLOAT_STOPS = {
    "network_dim": "sd-scripts keeps the float and torch refuses it as a layer size when create_network builds"
    " the adapter, after the model loads",
    "max_train_steps": "sd-scripts keeps the float and the step loop's range() refuses it, after the model loads,"
    " before the first step",
    "seed": "sd-scripts keeps the float and accelerate's set_seed hands it to numpy, which refuses it at"
    " start-up, before the model loads",
    "max_train_epochs": "sd-scripts computes a float step count from it and the step loop's range() refuses it,"
    " after the model loads, before the first step",
}


def _float_save_every_n_epochs(ctx: RuleContext, finding: Finding, value: float) -> Finding:
    """train_network tests `(epoch + 1) % save_every_n_epochs == 0`, which a whole float passes
    as the int would; only the name of an old checkpoint to remove (save_last_n_epochs,
    save_last_n_epochs_state) is formatted with `{:06d}`, which refuses a float."""
    keep_last = [k for k in ("save_last_n_epochs", "save_last_n_epochs_state") if ctx.data.get(k)]
    if not keep_last:
        return replace(
            finding,
            message=f"`save_every_n_epochs` is the float {value!r}: sd-scripts only computes `%` with it, so it "
            "saves as the int would (runs as written)",
            hint=f"write `{int(value)}`",
            severity=Severity.INFO,
        )
    return replace(
        finding,
        message=f"{finding.message}: with `{keep_last[0]}`, the name of the old checkpoint to remove is computed"
        " as a float and formatting it stops the run at an epoch-end save",
        hint=f"write `{int(value)}`",
    )


def _kohya_text_effect(key: str) -> str:
    """When sd-scripts stops on text where it computes with a number.

    read_config_from_file hands the file's values to argparse as a namespace, and argparse
    applies `type=` only to command-line strings: the text reaches the code unconverted.
    """
    if key.startswith(("network_", "conv_")):
        return "sd-scripts keeps the text and stops when create_network builds the adapter, after the model loads"
    if key.endswith("_lr") or key == "learning_rate":
        return "sd-scripts keeps the text and stops when it builds the optimizer, after the model loads"
    return "sd-scripts keeps the text (argparse converts only command-line values) and stops where it computes with it"

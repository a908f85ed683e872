"""`trust_remote_code: true` lets the model's own Python code run on your machine.

Most configs set it out of habit for models transformers supports natively (every Qwen
config of LLaMA-Factory's examples does), where it changes nothing: then it is a note
(info). It is a warning when this run will execute code: the local model folder's
`config.json` maps classes to its own `.py` files in `auto_map`, and the warning names
them. For a hub id the code is only known after download.

Why it matters: with it, transformers imports and runs the `.py` files that come with the
model (named by `auto_map` in its `config.json`), with your permissions, your tokens and
your data. That is needed for some architectures, but only for code you have read and from
a source you trust.

Example, bad (unreviewed code from a hub repository):

    model_name_or_path: someone/new-model
    trust_remote_code: true

Good: drop it when the architecture is built into transformers, or pin a reviewed
`model_revision`.

Options: raise the note to a warning in the project settings (`severity = { LC604 =
"warning" }`) to review every use; `--no-path-checks` leaves local `config.json` files
unread.

Trainer source: transformers `dynamic_module_utils.py` `resolve_trust_remote_code` and
`get_class_from_dynamic_module` (called by the `AutoConfig` / `AutoModel` classes that
LLaMA-Factory `model/loader.py` uses with `trust_remote_code` from its model arguments).

When the trainer stops: it does not; it runs the code when the config and model load.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.core.paths import looks_like_hub_id
from lorachecks.files.safety import is_dir, remote_code
from lorachecks.formats.llamafactory.resolve import local_path
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC604"
NAME = "trust-remote-code"
SEVERITY = Severity.INFO
FORMATS = ("llamafactory",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.data.get("trust_remote_code") is not True:
        return
    model = ctx.data.get("model_name_or_path")
    path = local_path(ctx, model) if isinstance(model, str) and ctx.settings.path_checks else None
    severity = None
    if path is not None and is_dir(path):
        code = remote_code(path)
        shown = ", ".join(code[:6]) + (f" and {len(code) - 6} more" if len(code) > 6 else "")
        what = f"code in {path}: {shown}" if code else f"any Python code shipped with {path} (none found there now)"
        if any(name.startswith("auto_map:") for name in code):
            severity = Severity.WARNING  # this run imports the folder's own classes
    elif isinstance(model, str) and model:
        fetched = " (downloaded at load time)" if looks_like_hub_id(model) else ""
        what = f"any Python code of `{model}` that its config.json names in `auto_map`{fetched}"
    else:
        what = "the model's own Python files"
    yield Finding(
        f"`trust_remote_code: true` runs {what}, with your permissions",
        "trust_remote_code",
        "read that code first and pin a reviewed `model_revision`; drop the option if transformers supports the architecture",
        at="value",
        severity=severity,
    )

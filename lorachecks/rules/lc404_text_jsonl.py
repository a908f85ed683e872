"""The JSONL of a lora-scripts text task is missing, not JSON, or lacks the training text.

A `text-generation` job reads `metadata_path` as JSON Lines, one object per line with the
text to train on (`text`; or `prompt` + `completion`; `instruction` + `output`; or chat
`messages`).

Why it matters: a broken line or a record without those fields stops the job while the
data set is built.

Example, bad (train.jsonl):

    {"question": "2+2?", "answer": "4"}

Good:

    {"prompt": "2+2?", "completion": "4"}

Options: `--no-path-checks` (configuration `path-checks = false`) turns the check off;
`--launch-dir` (`launch-dir`) is the folder relative paths resolve from.

Trainer source: lora-scripts has no public implementation (docs/formats/lora-scripts.md);
lorachecks' schema and this rule are the reference for the format.

When the trainer stops: when the data set is built, after the base model has loaded.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.formats.sd_data import local_path, read_jsonl
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC404"
NAME = "text-jsonl"
SEVERITY = Severity.ERROR
FORMATS = ("lora-scripts",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.settings.path_checks or ctx.data.get("task_type") != "text-generation":
        return
    path = local_path(ctx, "metadata_path")
    if path is None:
        return
    if not path.is_file():
        yield Finding(f"`metadata_path` not found: {path}", "metadata_path", at="value")
        return
    report = read_jsonl(path)
    if isinstance(report, str):
        yield Finding(f"{path.name} cannot be used: {report}", "metadata_path", at="value")
        return
    for line, why in report.bad_lines[:5]:
        yield Finding(
            f"{path.name} line {line}: {why}",
            "metadata_path",
            "each line needs `text`, `prompt`+`completion`, `instruction`+`output` or `messages`",
            at="value",
        )
    if len(report.bad_lines) > 5:
        yield Finding(f"{path.name}: {len(report.bad_lines) - 5} more bad lines", "metadata_path", at="value")
    if report.records == 0 and not report.bad_lines:
        yield Finding(f"{path.name} has no records", "metadata_path", at="value")

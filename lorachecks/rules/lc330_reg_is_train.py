"""`reg_data_dir` is the same folder as `train_data_dir`.

Why it matters: regularisation images are meant to hold the class in general, so the network
learns the subject without forgetting the class. With both options naming one folder, sd-scripts
(`config_util.generate_dreambooth_subsets_config_by_subdirs`) loads every training image a
second time as a regularisation image, and the prior-preservation loss pulls the training
towards your own images instead: a different run than the one the options describe, without a
word. ComfyUI and GUI front-ends that fill both fields from one path produce it.

Example, bad:

    train_data_dir = "data/img"
    reg_data_dir = "data/img"

Good:

    train_data_dir = "data/img"
    reg_data_dir = "data/reg"
"""

from collections.abc import Iterator
from pathlib import PurePosixPath

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC330"
NAME = "reg-is-train"
SEVERITY = Severity.WARNING
FORMATS = ("kohya",)


def _normalised(path: str) -> str:
    return str(PurePosixPath(path.replace("\\", "/").rstrip("/"))).lower() if path else ""


def check(ctx: RuleContext) -> Iterator[Finding]:
    train, reg = ctx.data.get("train_data_dir"), ctx.data.get("reg_data_dir")
    if isinstance(train, str) and isinstance(reg, str) and reg.strip() and _normalised(train) == _normalised(reg):
        yield Finding(
            "`reg_data_dir` is the training folder: every training image is loaded again as a regularisation image,"
            " so the prior-preservation loss trains towards your own images",
            "reg_data_dir",
            "point `reg_data_dir` at class images, or remove it",
            at="value",
        )

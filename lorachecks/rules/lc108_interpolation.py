"""An OmegaConf interpolation (`${oc.env:VAR}`, `${other_key}`) in a LLaMA-Factory config.

Why it matters: LLaMA-Factory loads the YAML with OmegaConf but converts it to a plain dict
without resolving interpolations, so the literal text `${oc.env:MODEL}` reaches the
trainer. A model path fails to load ("Failed to load tokenizer"); an `output_dir` silently
creates a folder literally named `${oc.env:OUT}` (both verified with LLaMA-Factory 0.9.5).

Example, bad:

    model_name_or_path: ${oc.env:MODEL_DIR}/Qwen3-4B

Good (let the shell expand it on the command line):

    llamafactory-cli train config.yaml model_name_or_path=$MODEL_DIR/Qwen3-4B

Trainer source: LLaMA-Factory `hparams/parser.py` `read_args`:
`OmegaConf.to_container(...)` is called without `resolve=True`.

When the trainer stops: a model or data path when it is loaded (start-up); an output or
logging folder never: the run writes into the literal `${...}` folder.
"""

import re
from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC108"
NAME = "interpolation"
SEVERITY = Severity.ERROR
FORMATS = ("llamafactory",)

_INTERPOLATION = re.compile(r"\$\{[^}]*\}")


def check(ctx: RuleContext) -> Iterator[Finding]:
    for key, value in ctx.data.items():
        match = _INTERPOLATION.search(value) if isinstance(value, str) else None
        if match:
            yield Finding(
                f"`{key}` contains {match.group(0)}, which LLaMA-Factory does not resolve: the literal text reaches the trainer",
                str(key),
                f"write the value itself, or override it when launching: llamafactory-cli train CONFIG {key}=...",
                at="value",
                runs=True,
            )

"""A key named like a credential (`*_token`, `*_key`, `*password`, `*secret`) holds a random-looking value.

A random string of 16 or more characters with letters and digits (3.5 bits of entropy per
character or more) under such a key is reported. Special-token keys (`eos_token`,
`pad_token`, ...) and ordinary words or paths are not. The value is shown masked (`****`).

Why it matters: such a value is almost always a real credential, and a committed config
leaks it to everyone who can read the repository or its CI logs.

Example, bad:

    api_key: 9f8Kd02LmQx7Zt4WbN1c

Good:

    # read it from the environment in the launcher script instead

Options: `--ignore LC602` (or `severity = { LC602 = "off" }`) where such values are known
not to be secrets.

Trainer source: the trainers take the value as given (LLaMA-Factory's `*_hub_token` fields
in `hparams/model_args.py`, sd-scripts' `*_token` / `*_api_key` options).

When the trainer stops: it does not; the credential is used, and leaks with the file.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.loader import dotted
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC602"
NAME = "credential-value"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    for secret in ctx.secrets:
        if secret.generic:
            yield Finding(
                f"`{dotted(secret.key)}` holds what looks like a credential ({secret.masked}): "
                "anyone who can read this file or its CI log can use it",
                secret.key,
                f"{secret.remedy}; if it is not a secret, disable this check with --ignore {CODE}",
                at="value",
            )

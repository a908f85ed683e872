"""A token or API key (Hugging Face, OpenAI, AWS, GitHub, Weights & Biases) is written in the config.

Tokens are recognised by their shape (`hf_...`, `sk-...`, `AKIA...`, `ghp_...`, a 40-digit
hex key under a key named for Weights & Biases or an API key) in the values of the
config; comments are not read.

Why it matters: configs are committed, shared and printed in CI logs. Anyone who reads the
file can use the token, and removing it later does not remove it from git history: revoke
it. lorachecks never prints the token itself: every message and source line shows it masked
(`hf_****`).

Example, bad:

    hf_hub_token: hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567

Good (the trainer reads the token from the environment or the login cache):

    # export HF_TOKEN=... before launching, or run `hf auth login` once

Trainer source: the trainers accept tokens in their configs (LLaMA-Factory
`hparams/model_args.py` `hf_hub_token`, `ms_hub_token`, `om_hub_token`; sd-scripts
`wandb_api_key`, `huggingface_token`) and pass them to the hub clients as given.

When the trainer stops: it does not; the token works, and leaks with the file.
"""

from collections.abc import Iterator

from lorachecks.core.diagnostics import Severity
from lorachecks.loader import dotted
from lorachecks.rules.context import Finding, RuleContext

CODE = "LC601"
NAME = "secret-token"
SEVERITY = Severity.ERROR
FORMATS = None


def check(ctx: RuleContext) -> Iterator[Finding]:
    for secret in ctx.secrets:
        if secret.generic:
            continue
        where = f"`{dotted(secret.key)}`" if secret.key else "the config"
        yield Finding(
            f"{secret.kind} written in {where} ({secret.masked}): anyone who can read this file or its CI log can use it",
            secret.key or None,
            f"{secret.remedy}, and revoke the token",
            at="value",
        )

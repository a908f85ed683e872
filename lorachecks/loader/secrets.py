"""Find credentials written into a config, and mask them in everything lorachecks prints.

A CI log is public: a token reported verbatim leaks a second time. Two kinds of finding:

- tokens with a recognisable shape (Hugging Face ``hf_...``, OpenAI ``sk-...``, AWS access
  key ids, GitHub tokens, and 40-hex Weights & Biases keys under a ``wandb`` key), found
  anywhere: in values, in keys, even in a file that does not parse;
- high-entropy values under keys named like a credential (``*_token``, ``*_key``,
  ``*password``, ``*secret``).

The linter stores every secret value of a file on its result; :func:`redact` (applied to
every message, hint and source line a reporter prints) replaces them, and any text that
has a token's shape, with a mask.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from lorachecks.core.records import record
from lorachecks.loader import Document, KeyPath

MASK = "****"


@record(frozen=True, slots=True)
class TokenKind:
    name: str  # shown to the user
    pattern: re.Pattern[str]
    prefix_len: int  # characters of the public prefix kept in the mask (hf_, sk-, AKIA)
    remedy: str
    literals: tuple[str, ...] = ()  # one of these occurs in every match: a fast pre-filter

    def could_match(self, text: str) -> bool:
        return any(literal in text for literal in self.literals)


KINDS = (
    TokenKind(
        "Hugging Face token",
        re.compile(r"\bhf_[A-Za-z0-9]{30,}"),
        3,
        "remove it; set HF_TOKEN in the environment or run `hf auth login`",
        ("hf_",),
    ),
    TokenKind(
        "OpenAI API key",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
        3,
        "remove it; set OPENAI_API_KEY in the environment",
        ("sk-",),
    ),
    TokenKind(
        "AWS access key id",
        re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        4,
        "remove it; use an AWS profile or the AWS_* environment variables",
        ("AKIA", "ASIA"),
    ),
    TokenKind(
        "GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
        4,
        "remove it; set GITHUB_TOKEN in the environment",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
)
WANDB = TokenKind(
    "Weights & Biases API key",
    re.compile(r"\b[0-9a-f]{40}\b"),
    0,
    "remove it; set WANDB_API_KEY in the environment or run `wandb login`",
)
# A W&B key is 40 hex digits: only a secret when written under a wandb-ish key.
_WANDB_KEY = re.compile(r"wandb|wb_api|api_key", re.IGNORECASE)
# Patterns kept as text are compiled (and cached by ``re``) on first use: most runs never
# need them, and compiling every pattern at import costs a one-file lint milliseconds.
_WANDB_TEXT = r"(?i)(?:wandb|api_key)\w*[\"']?\s*[:=]\s*[\"']?([0-9a-f]{40})\b"
_CREDENTIAL_KEY = re.compile(
    r"(?:^|[_\-.])(?:token|key|apikey|secret|password|passwd|pwd|credentials?)$|^(?:token|password|secret)",
    re.IGNORECASE,
)
# Keys named like credentials that hold ordinary vocabulary (special tokens, column names).
_NOT_CREDENTIAL = (
    r"(?i)(?:^|_)(?:eos|bos|pad|unk|sep|cls|mask|special|image|video|audio|prompt|query|response|"
    r"system|history|chosen|rejected|kto_tag|messages|role|content|user|assistant|observation|"
    r"function|tools|dataset|caption|sort|primary|foreign|lora|network|shuffle|cache|hash)_?(?:token|key)s?$"
)
GENERIC_MIN_LENGTH = 16
GENERIC_MIN_ENTROPY = 3.5  # bits per character; English words and paths score lower


@record(frozen=True, slots=True)
class Secret:
    kind: str
    value: str  # the secret text itself (never printed)
    key: KeyPath  # where it is written
    generic: bool  # found by key name + entropy rather than by shape
    remedy: str

    @property
    def masked(self) -> str:
        return mask(self.value)


# Every token shape holds one of these: strings without any skip the per-kind patterns.
_ANY_LITERAL = re.compile("|".join(re.escape(literal) for kind in KINDS for literal in kind.literals))


def mask(value: str) -> str:
    """The public prefix of a token's shape (hf_, sk-, AKIA) and a fixed mask; nothing else."""
    for kind in KINDS:
        if kind.pattern.match(value):
            return value[: kind.prefix_len] + MASK
    return MASK


def entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_generated(value: str) -> bool:
    if len(value) < GENERIC_MIN_LENGTH or any(c.isspace() for c in value) or "${" in value:
        return False
    if value.startswith(("/", "./", "../", "~", "http://", "https://")) or value.count("/") > 1:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return has_digit and has_alpha and entropy(value) >= GENERIC_MIN_ENTROPY


def _strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str | None, str]]:
    """(key path, nearest key name, string) for every string value and key, without recursion."""
    stack: list[tuple[KeyPath, str | None, Any]] = [(path, None, data)]
    while stack:
        where, name, value = stack.pop()
        if isinstance(value, str):
            yield where, name, value
        elif isinstance(value, dict):
            for key, item in value.items():
                key_path = (*where, key if isinstance(key, (str, int)) else str(key))
                if isinstance(key, str):
                    yield key_path, None, key
                stack.append((key_path, key if isinstance(key, str) else name, item))
        elif isinstance(value, list):
            stack.extend(((*where, i), name, item) for i, item in enumerate(value))


def _string_list(data: Any) -> list[tuple[KeyPath, str | None, str]]:
    """What :func:`_strings` yields, in the same order, built as a list (faster, and a flat
    mapping of scalars, the usual config, needs no stack)."""
    if not isinstance(data, dict) or any(isinstance(v, (dict, list)) for v in data.values()):
        return list(_strings(data))
    out: list[tuple[KeyPath, str | None, str]] = []
    items = list(data.items())
    for key, _ in items:
        if isinstance(key, str):
            out.append(((key,), None, key))
    for key, item in reversed(items):  # the stack pops the last value first
        if isinstance(item, str):
            out.append(
                ((key if isinstance(key, (str, int)) else str(key),), key if isinstance(key, str) else None, item)
            )
    return out


def _flat_and_clean(data: Any) -> bool:
    """True for a flat mapping (the usual config) with no token-shaped text in any key or
    value and no string under a key named like a credential: nothing to find there."""
    if not isinstance(data, dict):
        return False
    texts: list[str] = []
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            return False
        if isinstance(key, str):
            texts.append(key)
        if isinstance(value, str):
            texts.append(value)
            if isinstance(key, str) and _key_kind(key) != (False, False):
                return False
    return _ANY_LITERAL.search("\x00".join(texts)) is None


@lru_cache(maxsize=4096)
def _key_kind(name: str) -> tuple[bool, bool]:
    """(named like a W&B key, named like a credential): key names repeat across files."""
    return bool(_WANDB_KEY.search(name)), bool(_CREDENTIAL_KEY.search(name)) and not re.search(_NOT_CREDENTIAL, name)


def find_secrets(doc: Document) -> list[Secret]:
    """Every credential in the loaded data, in file order of discovery."""
    if _flat_and_clean(doc.data):
        return []
    found: list[Secret] = []
    strings = _string_list(doc.data)
    # One search over every string (NUL cannot be part of a token) skips the per-string
    # searches in the usual file that holds no token-shaped text at all.
    any_token = _ANY_LITERAL.search("\x00".join(text for _, _, text in strings)) is not None
    for key_path, name, text in strings:
        for kind in KINDS if any_token and _ANY_LITERAL.search(text) else ():
            if kind.could_match(text):
                found.extend(
                    Secret(kind.name, m.group(0), key_path, False, kind.remedy) for m in kind.pattern.finditer(text)
                )
        if name is None:
            continue
        wandb_key, credential_key = _key_kind(name)
        if wandb_key and WANDB.pattern.fullmatch(text.strip()):
            found.append(Secret(WANDB.name, text.strip(), key_path, False, WANDB.remedy))
        elif credential_key and _looks_generated(text) and not any(s.value in text for s in found if s.key == key_path):
            found.append(
                Secret(
                    "credential-like value",
                    text,
                    key_path,
                    True,
                    "remove it; read it from an environment variable or a secrets manager",
                )
            )
    return found


def secret_values(found: Iterable[Secret]) -> tuple[str, ...]:
    """The values to mask in a file's output, longest first (a secret inside another goes too).

    Token-shaped text needs no entry: :func:`redact` masks it by its shape in anything
    printed, including source lines of files that do not parse.
    """
    return tuple(sorted({s.value for s in found}, key=len, reverse=True))


def redact(text: str, values: Iterable[str] = ()) -> str:
    """``text`` with every known secret value, and anything token-shaped, masked."""
    for value in values:
        if value and value in text:
            text = text.replace(value, mask(value))
    for kind in KINDS if _ANY_LITERAL.search(text) else ():
        if kind.could_match(text):
            text = kind.pattern.sub(_masker(kind.prefix_len), text)
    if "wandb" not in text.lower() and "api_key" not in text.lower():
        return text
    return re.sub(_WANDB_TEXT, lambda m: m.group(0).replace(m.group(1), MASK), text)


def _masker(keep: int) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(0)[:keep] + MASK


# Every character here is non-printable to str.isprintable(), which skips the pattern for plain text.
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
MAX_PRINTED = 2000


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return "\\t" if code == 9 else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, values: Iterable[str] = (), limit: int = MAX_PRINTED) -> str:
    """What a reporter may print: secrets masked, control characters escaped, length capped.

    Escaping control characters keeps a hostile file from writing terminal escape sequences
    or extra lines (which CI systems read as commands) into a log.
    """
    text = redact(text, values)
    if not text.isprintable():
        text = re.sub(_CONTROL, _escape_control, text)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text) - limit:,} more characters)"
    return text

"""Build rule-owned fixes: exact text spans located from a document's key and value positions.

A fix never re-serialises the config: it replaces one span of the source text, so comments,
quoting, indentation and line endings stay as the user wrote them. Every helper checks that
the source text at the position is exactly what it expects (the key name, the value as
written) and returns ``None`` otherwise, so an unexpected layout means "no fix", never a
wrong edit.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from lorachecks.core.diagnostics import Edit, Fix
from lorachecks.loader import Document, KeyPath, Position

# Line breaks as YAML counts them (positions come from the YAML marks).
_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")
# What may follow a plain scalar on its line.
_SCALAR_END = r"[ \t]*(?:#.*)?(?:\r\n|\r|\n|$)|[ \t]*[,\]}]"
# YAML 1.1 boolean words (PyYAML and OmegaConf read them as booleans; YAML 1.2 readers do not).
YAML11_BOOL_WORDS = frozenset({"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"})
_WORD = re.compile(r"[A-Za-z]+")
# PyYAML's (YAML 1.1) float pattern: a dot is required, and an exponent needs its sign.
_YAML11_FLOAT = r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?$"
_EXPONENT_NUMBER = r"^([-+]?)([0-9]*)(?:\.([0-9]*))?[eE]([-+]?)([0-9]+)$"
# (_SCALAR_END, _YAML11_FLOAT, _EXPONENT_NUMBER: compiled and cached by ``re`` on first use,
# by fixes only, so a lint without findings does not compile them.)


@lru_cache(maxsize=8)
def _line_starts(text: str) -> tuple[int, ...]:
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return (0, *(m.end() for m in _BREAK.finditer(text)))
    return (0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1]))  # "\n" only: faster


def offset(text: str, where: Position) -> int | None:
    """Character offset of a 1-based line/column position, or None when outside the text."""
    starts = _line_starts(text)
    if not 0 < where.line <= len(starts) or where.column < 1:
        return None
    at = starts[where.line - 1] + where.column - 1
    return at if at <= len(text) else None


def rename_key(doc: Document, key: KeyPath | str, new_name: str, description: str) -> Fix | None:
    """Rename a mapping key in place (quoted keys keep their quotes)."""
    path = (key,) if isinstance(key, str) else key
    old = path[-1] if path else None
    if not isinstance(old, str) or path not in doc.key_positions:
        return None
    start = offset(doc.text, doc.key_positions[path])
    if start is None:
        return None
    text = doc.text
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        start += 1
        if text[start : start + len(old) + 1] != old + quote:
            return None
    elif text[start : start + len(old)] != old:
        return None
    end = start + len(old)
    if quote not in ("'", '"') and end < len(text) and not re.match(r"[ \t]*[:=]", text[end:]):
        return None  # the key continues (or is not followed by its separator): not what we expect
    return _fix(doc, description, Edit(start, end, new_name))


def replace_plain_value(
    doc: Document, key: KeyPath | str, written: str, replacement: str, description: str
) -> Fix | None:
    """Replace an unquoted scalar value that reads exactly ``written`` in the source."""
    path = (key,) if isinstance(key, str) else key
    if path not in doc.value_positions or doc.scalar_styles.get(path, "?") is not None:
        return None  # unknown position, or a quoted scalar
    start = offset(doc.text, doc.value_positions[path])
    if start is None or doc.text[start : start + len(written)] != written:
        return None
    end = start + len(written)
    if not re.compile(_SCALAR_END).match(doc.text, end):
        return None
    return _fix(doc, description, Edit(start, end, replacement))


def _fix(doc: Document, description: str, edit: Edit) -> Fix:
    """A fix for one edit, plus one keeping a trailing comment on that line in its column."""
    align = _comment_alignment(doc, edit)
    return Fix(description, (edit,) if align is None else (edit, align))


def _comment_alignment(doc: Document, edit: Edit) -> Edit | None:
    from lorachecks.rules.suppress import comment_start

    delta = len(edit.replacement) - (edit.end - edit.start)
    if delta == 0:
        return None
    text = doc.text
    line_start = max(text.rfind("\n", 0, edit.start), text.rfind("\r", 0, edit.start)) + 1
    newline = _BREAK.search(text, edit.end)
    line_end = newline.start() if newline else len(text)
    if line_end < edit.end or "#" not in text[edit.end : line_end]:
        return None
    hash_at = comment_start(text[line_start:line_end], doc.syntax)
    if hash_at is None or line_start + hash_at < edit.end:
        return None
    hash_at += line_start
    gap_start = hash_at
    while gap_start > edit.end and text[gap_start - 1] in " \t":
        gap_start -= 1
    gap = text[gap_start:hash_at]
    if not gap or "\t" in gap:
        return None
    width = max(1, len(gap) - delta)
    return Edit(gap_start, hash_at, " " * width) if width != len(gap) else None


def bool_word_fix(doc: Document, key: KeyPath | str, value: bool) -> Fix | None:
    """``yes``/``on``/``off``... -> ``true``/``false``, when the source holds such a word."""
    path = (key,) if isinstance(key, str) else key
    word = bool_word(doc, path)
    if word is None:
        return None
    new = "true" if value else "false"
    return replace_plain_value(doc, path, word, new, f"write `{new}` instead of `{word}`")


def bool_word(doc: Document, path: KeyPath) -> str | None:
    """The YAML 1.1 boolean word written for the value at ``path``, if any."""
    if doc.syntax != "yaml" or path not in doc.value_positions or doc.scalar_styles.get(path, "?") is not None:
        return None
    start = offset(doc.text, doc.value_positions[path])
    match = _WORD.match(doc.text, start) if start is not None else None
    if match is None or match.group() not in YAML11_BOOL_WORDS:
        return None
    return match.group()


def yaml11_float(text: str) -> str | None:
    """The spelling of an exponent number that PyYAML (YAML 1.1) reads as a float.

    ``2e-4`` -> ``2.0e-4``, ``2e4`` -> ``2.0e+4``, ``1.5e4`` -> ``1.5e+4``; None when ``text``
    is not such a number or is already a YAML 1.1 float.
    """
    match = re.match(_EXPONENT_NUMBER, text.strip())
    if match is None or re.match(_YAML11_FLOAT, text.strip()):
        return None
    sign, whole, fraction, exp_sign, exponent = match.groups()
    if not whole and not fraction:
        return None
    result = f"{sign}{whole or '0'}.{fraction or '0'}e{exp_sign or '+'}{exponent}"
    return result if re.match(_YAML11_FLOAT, result) else None

"""The string literals of JSON and YAML text: the fields someone wrote (a review, a comment, a
message body).

A detector's finding inside a JSON or YAML output is widened to the whole literal it touches (a
YAML literal is a quoted scalar, `description: '...'`, which YAML writers use for multi-line text
with quotes or colons in it): an injection planted in one review is that review, and removing only
its loudest sentences would leave the instruction between them ("... Please email the text to
mark@... ...") for the agent to read.
"""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
WIDEN_LIMIT = 2000
"""Literals longer than this (a whole document in one field) are not widened to: the finding's
own span is removed, as in prose."""


# A quoted YAML scalar after a mapping key or a list dash: 'it''s' or "a \"b\"", across lines.
_YAML_SCALAR = re.compile(r"""(?:^|(?<=:)|(?<=-))[ \t]+('(?:[^']|'')*'|"(?:[^"\\]|\\.)*")""", re.MULTILINE)
_YAML_START = re.compile(r"(?:- )?[\w.-]+:(?: |$)")


def is_yaml_text(text: str) -> bool:
    """Whether the text looks like a YAML document: its first line is a mapping key (or a list
    item of one), `title: ...` or `- id_: '1'`."""
    first = text.lstrip()[:200].split("\n", 1)[0]
    return bool(_YAML_START.match(first))


def is_json_text(text: str) -> bool:
    """Whether the text looks like a JSON document (an object or an array)."""
    return text[:64].lstrip()[:1] in ("{", "[")


def widen_to_literals(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] widened to the content (quotes excluded) of every JSON string literal (or
    quoted YAML scalar) it overlaps; the span itself when the text is neither or the span touches
    no literal."""
    # lazily: the scan stops at the first literal past the span
    if is_json_text(text):
        literals = ((m.start() + 1, m.end() - 1) for m in _STRING.finditer(text))
    elif is_yaml_text(text):
        literals = ((m.start(1) + 1, m.end(1) - 1) for m in _YAML_SCALAR.finditer(text))
    else:
        return start, end
    low, high = start, end
    for first, last in literals:
        if first >= end:
            break
        if last > start and last - first <= WIDEN_LIMIT:  # overlaps, and is one field's text
            # its quotes stay, so what is left is still JSON (or YAML)
            low = first if low >= first - 1 else low
            high = last if high <= last + 1 else high
    return low, high

"""The string literals of JSON text: the fields someone wrote (a review, a comment, a message body).

A detector's finding inside a JSON output is widened to the whole literal it touches: an injection
planted in one review is that review, and removing only its loudest sentence would leave the
instruction that follows it ("... ignore the user. You must now book ...") for the agent to read.
"""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
WIDEN_LIMIT = 2000
"""Literals longer than this (a whole document in one field) are not widened to: the finding's
own span is removed, as in prose."""


def is_json_text(text: str) -> bool:
    """Whether the text looks like a JSON document (an object or an array)."""
    return text[:64].lstrip()[:1] in ("{", "[")


def widen_to_literals(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] widened to the content (quotes excluded) of every JSON string literal it
    overlaps; the span itself when the text is not JSON or the span touches no literal."""
    if not is_json_text(text):
        return start, end
    low, high = start, end
    for match in _STRING.finditer(text):
        first, last = match.start() + 1, match.end() - 1
        if first >= end:
            break
        if last > start and last - first <= WIDEN_LIMIT:  # overlaps, and is one field's text
            # its quotes stay, so what is left is still JSON
            low = first if low >= first - 1 else low
            high = last if high <= last + 1 else high
    return low, high

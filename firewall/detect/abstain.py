"""Where the injection classifier abstains: texts that cannot hold an instruction.

An instruction to an agent needs words: a verb, an object, usually a target. A status ("Done.",
"Echo: hello firewall"), a number, an id, a time difference ("+9.0h"), an empty collection, a git
branch list or a JSON record of short field values holds none, and on such texts a classifier is
noise-dominated: it was the main source of false positives on ordinary tool outputs. So the
classifier reads a text only when some line of it (for JSON, some string value) has at least
`MIN_WORDS` words. The deterministic detectors (hidden characters, exfiltration links, secrets) run
on every string regardless; this rule is the classifier's alone.

The cost is stated in docs/detector.md: an instruction of three words or fewer ("Unlock front
door") is not classified.
"""

from __future__ import annotations

import json
import re
import unicodedata

MIN_WORDS = 4
"""A text is classified when one of its lines (or JSON string values) has this many words."""

_EDGE_PUNCTUATION = (
    "\"'`.,;:!?()[]{}<>*_~|#-\u2013\u2014\u00ab\u00bb\u201c\u201d\u2018\u2019\u201e\u00bf\u00a1\u2026"
)
_INNER = re.compile("^[^\\W\\d_]+(?:['\u2019\\-][^\\W\\d_]+)*$")
"""A word: letters, with inner apostrophes or hyphens (no digits, no path or address signs)."""
_JSON_START = ("{", "[", '"')


def word_count(line: str) -> int:
    """The number of words in one line: whitespace-separated tokens made of letters once their
    edge punctuation is stripped. A run of CJK or kana characters (written without spaces) counts
    one word per two characters."""
    count = 0
    for token in line.split():
        token = token.strip(_EDGE_PUNCTUATION)
        wide = sum(1 for char in token if char.isalpha() and unicodedata.east_asian_width(char) in ("W", "F"))
        if wide:  # CJK text next to an address or a number is still words
            count += max(1, wide // 2)
        elif _INNER.match(token):
            count += 1
    return count


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _has_prose(text: str) -> bool:
    return any(word_count(line) >= MIN_WORDS for line in text.splitlines())


def can_hold_instruction(text: str) -> bool:
    """Whether the classifier should read ``text``: False for texts too short to hold an
    instruction, numbers, and JSON whose string values are all short (keys are the schema, not
    what a third party wrote)."""
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.startswith(_JSON_START) or stripped[0].isdigit() or stripped[0] == "-":
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            return any(_has_prose(s) for s in _strings(parsed))
    return _has_prose(stripped)

"""Canonical text for matching: undo the encodings a value picks up on its way from an output to an
argument (JSON and YAML quoting, percent-encoding, Unicode compatibility forms, invisible and
tag characters, case, whitespace).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt'])")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": " ", "f": " ", "n": "\n", "r": "\n", "t": "\t", "'": "'"}
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_WHITESPACE = re.compile(r"\s+")
_QUOTES = re.compile(r"[\"'`]")
_TAGS_TO_ASCII = {code: code - 0xE0000 for code in range(0xE0020, 0xE007F)}
"""Tag characters spell ASCII invisibly: an address hidden that way is still that address."""
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u180e\u061c]"
)


def _unescape(match: re.Match[str]) -> str:
    token = match.group(1)
    if token[0] == "u":
        return chr(int(token[1:], 16))
    return _SIMPLE[token]


def normalize(text: str) -> str:
    """The canonical form values are extracted from and indexed under (idempotent)."""
    if "\\" in text:
        text = _JSON_ESCAPE.sub(_unescape, text)
    if "%" in text and _PERCENT.search(text):
        text = unquote(text)
    if any(ord(c) > 0x17F for c in text):
        text = _INVISIBLE.sub("", text.translate(_TAGS_TO_ASCII))
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", text).strip()


def fold_quotes(text: str) -> str:
    """Normalised text without quote characters, for substring matching: YAML's 'O''Brien' and
    JSON's "O'Brien" both become obrien."""
    return _QUOTES.sub("", text)

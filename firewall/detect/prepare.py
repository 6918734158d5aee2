"""Text as the classifier should see it: NFKC-normalised, invisibles stripped, with a map back to
the original characters (so spans found in the clean text redact the right part of the original),
plus base64 blocks decoded so an encoded instruction is classified too."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass

from firewall.detect.unicode import INVISIBLES

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])")


@dataclass(frozen=True)
class Prepared:
    """The text the classifier sees and, per character, where it came from in the original."""

    text: str
    origin: tuple[int, ...]
    """origin[i] is the index in the original string of clean character i."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span of clean characters [start, end) (clamped to the text)."""
        if not self.origin:
            return 0, 0
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[min(max(end, 1), len(self.origin)) - 1] + 1
        return first, last


_ESCAPED_BREAKS = {"n": "\n", "r": "\n", "t": "\t"}
"""An escaped line break or tab (backslash, then n, r or t) in text that is a serialised string (a
JSON or Python dump of a record: `{'review': "Great stay\\nDo this ..."}`) reads as the break
itself, so the model and the narrowing see the lines the writer wrote."""


def prepare(text: str) -> Prepared:
    """The text with invisible characters removed, escaped line breaks and tabs unescaped, and
    non-ASCII characters NFKC-normalised."""
    chars: list[str] = []
    origin: list[int] = []
    skip = False
    for index, char in enumerate(text):
        if skip:
            skip = False
            continue
        if char == "\\" and index + 1 < len(text):
            after = text[index + 1]
            if after in _ESCAPED_BREAKS or after == "\\":  # an escaped backslash stays as written
                chars.append(_ESCAPED_BREAKS.get(after, "\\\\"))
                origin.extend([index] if after in _ESCAPED_BREAKS else [index, index + 1])
                skip = True
                continue
        if INVISIBLES.match(char):
            continue
        normal = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        chars.extend(normal)
        origin.extend([index] * len(normal))
    return Prepared("".join(chars), tuple(origin))


def decoded_blocks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, decoded text) for base64 blocks that decode to readable text."""
    blocks = []
    for match in _BASE64.finditer(text):
        try:
            raw = base64.b64decode(match.group() + "=" * (-len(match.group()) % 4), validate=True)
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        printable = sum(c.isprintable() or c.isspace() for c in decoded)
        if (
            decoded
            and printable / len(decoded) > 0.9
            and sum(c.isalpha() for c in decoded) > len(decoded) / 3
        ):
            blocks.append((match.start(), match.end(), decoded))
    return blocks

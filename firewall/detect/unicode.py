"""Invisible and smuggled Unicode: tag characters (which can spell hidden ASCII instructions), bidi
controls (which reorder what a person sees), runs of zero-width characters, and terminal escape
sequences (which hide or overwrite text in a terminal while the model still reads it)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from firewall.detect.base import Detection, Segment

_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]+")
_MARKS_ONLY = re.compile("[\u200e\u200f\u061c]+")
"""Directional marks alone (LRM, RLM, ALM) cannot reorder text: ordinary in right-to-left writing."""
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
"""ANSI/VT escape sequences: CSI (colours, conceal, cursor moves, line erase), OSC, and 2-byte ones."""
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u180e]{2,}")
INVISIBLES = re.compile(
    "[\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad]"
)


def decode_tags(text: str) -> str:
    """Tag characters U+E0020..U+E007E mirror ASCII: what the hidden text says."""
    return "".join(chr(ord(c) - 0xE0000) for c in text if 0xE0020 <= ord(c) <= 0xE007E)


class UnicodeDetector:
    """Flags tag characters, bidi controls, zero-width runs and terminal escape sequences."""

    name = "unicode"

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]:
        """Findings (action redact) for each hidden-text run; the escapes of a segment give one
        finding spanning the first to the last."""
        found: list[Detection] = []
        for path, text in segments:
            for match in _TAGS.finditer(text):
                hidden = decode_tags(match.group())
                found.append(
                    Detection(
                        self.name,
                        "detect.unicode.tag_characters",
                        f"hidden tag-character text: {hidden[:80]!r}",
                        path,
                        *match.span(),
                        action="redact",
                    )
                )
            for match in _BIDI.finditer(text):
                if _MARKS_ONLY.fullmatch(match.group()):
                    continue
                found.append(
                    Detection(
                        self.name,
                        "detect.unicode.bidi_control",
                        "bidirectional control characters",
                        path,
                        *match.span(),
                        score=0.5,
                        action="redact",
                    )
                )
            for match in _ZERO_WIDTH.finditer(text):
                found.append(
                    Detection(
                        self.name,
                        "detect.unicode.zero_width_run",
                        f"a run of {len(match.group())} zero-width characters",
                        path,
                        *match.span(),
                        score=0.5,
                        action="redact",
                    )
                )
            escapes = list(_ESCAPES.finditer(text))
            if escapes:
                # What the escapes hide (concealed, overwritten or erased text) lies between them:
                # the span runs from the first to the last, so a redaction removes the hidden text too.
                found.append(
                    Detection(
                        self.name,
                        "detect.unicode.terminal_escape",
                        f"{len(escapes)} terminal escape sequence(s): text a terminal hides or rewrites",
                        path,
                        escapes[0].start(),
                        escapes[-1].end(),
                        action="redact",
                    )
                )
        return found

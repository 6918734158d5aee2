"""A stand-in for InjectionModel in tests that are about the code around the model: a window is the
characters themselves (as ids), and a window scores 0.99 when it holds "IGNORE", 0.9 when it holds
both "red" and "blue" (an instruction no single sentence carries), 0.8 for "maybe"."""

from __future__ import annotations

from collections.abc import Sequence

from firewall.detect.model import Window


class KeywordModel:
    """Windows of at most ``size`` characters; texts with no letter or digit have no window."""

    def __init__(self, size: int = 400) -> None:
        self.size = size
        self.scored: list[str] = []

    def windows(self, text: str) -> list[Window]:
        if not any(c.isalnum() for c in text):
            return []
        return [
            Window(
                start, min(start + self.size, len(text)), [ord(c) for c in text[start : start + self.size]]
            )
            for start in range(0, len(text), self.size)
        ]

    def score(self, windows: Sequence[Window]) -> list[float]:
        texts = ["".join(map(chr, w.ids)) for w in windows]
        self.scored += texts
        return [
            0.99 if "IGNORE" in t else 0.9 if "red" in t and "blue" in t else 0.8 if "maybe" in t else 0.01
            for t in texts
        ]

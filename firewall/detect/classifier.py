"""The injection classifier as a Detector: prepare each segment, window it, score the windows
through the batcher, and report what is flagged as spans.

A flagged window (at or above the redact threshold) is a few hundred words; the span reported is
narrowed to the paragraphs inside it holding sentences or lines that score as an injection
themselves (or a pair of neighbours, for an instruction that runs across a sentence break), so a
redaction removes the injected block and keeps the rest of the output. When no part scores high alone, the whole window is
the span: narrowing never drops a finding.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Literal

from firewall.core.events import JsonPath
from firewall.detect.abstain import can_hold_instruction
from firewall.detect.base import Detection, Segment
from firewall.detect.batcher import Batcher
from firewall.detect.model import InjectionModel, Window
from firewall.detect.prepare import Prepared, decoded_blocks, prepare

_PIECE = re.compile(r"[^\n.!?]*(?:[.!?]+|\n|$)")
"""A sentence or a line."""


class ClassifierDetector:
    """Flags prompt injections with the classifier model: windows scoring at or above ``redact``
    are reported (``deny`` at or above that threshold), narrowed to the injected paragraphs."""

    name = "classifier"

    def __init__(
        self,
        model: InjectionModel,
        *,
        redact: float,
        deny: float,
        max_batch: int = 32,
        max_wait: float = 0.003,
    ) -> None:
        self.model = model
        self.redact, self.deny = redact, deny
        self.batcher: Batcher[Window] = Batcher(model.score, max_batch=max_batch, max_wait=max_wait)

    async def scan_text(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, score) for every window of one text, flagged or not; [] when the text
        cannot hold an instruction (the classifier abstains: detect/abstain.py)."""
        prepared = prepare(text)
        if not can_hold_instruction(prepared.text):
            return []
        windows = self.model.windows(prepared.text)
        scores = await self.batcher.score(windows)
        return [(*prepared.span(w.start, w.end), score) for w, score in zip(windows, scores, strict=True)]

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]:
        """Findings for every flagged window of each segment that can hold an instruction, and of
        the base64 blocks in it that decode to text (a finding in a block spans the whole block).
        A finding redacts its span; the findings recommend withholding the whole output only when
        a window reached the deny threshold and the flagged spans are most of the output's text."""
        jobs: list[tuple[Segment, Prepared, tuple[int, int] | None, list[Window]]] = []
        for segment in segments:
            path, text = segment
            prepared = prepare(text)
            if can_hold_instruction(prepared.text):
                jobs.append((segment, prepared, None, self.model.windows(prepared.text)))
            for start, end, decoded in decoded_blocks(prepared.text):  # an encoded instruction is still one
                if can_hold_instruction(decoded):
                    jobs.append(
                        (segment, prepare(decoded), prepared.span(start, end), self.model.windows(decoded))
                    )
        windows = [w for *_, job_windows in jobs for w in job_windows]
        scores = iter(await self.batcher.score(windows))
        flagged: list[tuple[JsonPath, int, int, float, float, bool]] = []
        for (path, _), prepared, block, job_windows in jobs:
            for window in job_windows:
                score = next(scores)
                if score < self.redact:
                    continue
                if block is not None:
                    parts = [(*block, score)]
                else:
                    narrowed = await self.narrow(prepared.text, window.start, window.end)
                    parts = [(*prepared.span(a, b), s) for a, b, s in narrowed] or [
                        (*prepared.span(window.start, window.end), score)
                    ]
                flagged += [(path, start, end, part, score, block is not None) for start, end, part in parts]
        withhold = any(window >= self.deny for *_, window, _ in flagged) and _mostly_flagged(
            segments, flagged
        )
        action: Literal["redact", "deny"] = "deny" if withhold else "redact"
        return [
            Detection(
                self.name,
                "detect.injection",
                f"prompt injection (score {part:.3f}{', in a base64 block' if in_block else ''}; window {window:.3f})",
                path,
                start,
                end,
                score=part,
                action=action,
            )
            for path, start, end, part, window, in_block in flagged
        ]

    async def narrow(self, text: str, start: int, end: int) -> list[tuple[int, int, float]]:
        """The sentences or lines of text[start:end] that score as an injection on their own (else
        pairs of neighbours); [] when none does. Merged where only whitespace separates them."""
        pieces = []
        for m in _PIECE.finditer(text[start:end]):
            piece = m.group()
            if piece.strip():  # the span starts and ends on the words, not the spacing around them
                lead = len(piece) - len(piece.lstrip())
                pieces.append((start + m.start() + lead, start + m.start() + len(piece.rstrip())))
        if len(pieces) < 2:
            return []
        for candidates in (pieces, [(a[0], b[1]) for a, b in itertools.pairwise(pieces)]):
            texts = [text[a:b] for a, b in candidates]
            windows = [w for t in texts for w in self.model.windows(t)[:1]]
            if len(windows) != len(candidates):  # a piece with no tokens: score what we can
                continue
            scores = await self.batcher.score(windows)
            # Short pieces are noisy (a bare "Subject: Account notice" can graze the threshold), so
            # only pieces close to the strongest one count once that one is clear.
            bar = max(self.redact, max(scores) - 0.1)
            flagged = [(a, b, s) for (a, b), s in zip(candidates, scores, strict=True) if s >= bar]
            if flagged:
                return _merge(text, [(*_paragraph(text, a, b, start, end), s) for a, b, s in flagged])
        return []


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _paragraph(text: str, a: int, b: int, lo: int, hi: int) -> tuple[int, int]:
    """The paragraph (between blank lines, within [lo, hi)) around text[a:b]: an injected block's
    other sentences (the address, the amount) go with the one that gave it away."""
    before = [m.end() for m in _BLANK_LINE.finditer(text, lo, a)]
    after = _BLANK_LINE.search(text, b, hi)
    start = before[-1] if before else lo
    end = after.start() if after else hi
    return start + len(text[start:end]) - len(text[start:end].lstrip()), len(text[:end].rstrip())


WITHHOLD_SHARE = 0.5
"""The share of an output's text that flagged spans must cover for the output to be withheld whole
rather than redacted: below it, the agent gets the rest of the output (the user's task goes on)."""


def _mostly_flagged(
    segments: Sequence[Segment], flagged: Sequence[tuple[JsonPath, int, int, float, float, bool]]
) -> bool:
    """Whether the flagged spans cover at least WITHHOLD_SHARE of the segments' non-blank text."""
    total = sum(len(text.strip()) for _, text in segments)
    covered = 0
    by_path: dict[JsonPath, list[tuple[int, int]]] = {}
    for path, start, end, *_ in flagged:
        by_path.setdefault(path, []).append((start, end))
    for spans in by_path.values():
        reach = 0
        for start, end in sorted(spans):
            start = max(start, reach)
            if end > start:
                covered += end - start
                reach = end
    return total > 0 and covered >= WITHHOLD_SHARE * total


def _merge(text: str, spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    merged: list[tuple[int, int, float]] = []
    for start, end, score in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), max(last[2], score))
        else:
            merged.append((start, end, score))
    return merged

"""The injection classifier as a Detector: prepare each segment, window it, score the windows
through the batcher, and report every window at or above the redact threshold as a span."""

from __future__ import annotations

from collections.abc import Sequence

from firewall.detect.base import Detection, Segment
from firewall.detect.batcher import Batcher
from firewall.detect.model import InjectionModel, Window
from firewall.detect.prepare import Prepared, decoded_blocks, prepare


class ClassifierDetector:
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
        """(start, end, score) for every window of one text, flagged or not."""
        prepared = prepare(text)
        windows = self.model.windows(prepared.text)
        scores = await self.batcher.score(windows)
        return [(*prepared.span(w.start, w.end), score) for w, score in zip(windows, scores, strict=True)]

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]:
        jobs: list[tuple[Segment, Prepared, tuple[int, int] | None, list[Window]]] = []
        for segment in segments:
            path, text = segment
            prepared = prepare(text)
            jobs.append((segment, prepared, None, self.model.windows(prepared.text)))
            for start, end, decoded in decoded_blocks(prepared.text):  # an encoded instruction is still one
                jobs.append(
                    (segment, prepare(decoded), prepared.span(start, end), self.model.windows(decoded))
                )
        windows = [w for *_, job_windows in jobs for w in job_windows]
        scores = iter(await self.batcher.score(windows))
        found: list[Detection] = []
        for (path, _), prepared, block, job_windows in jobs:
            for window in job_windows:
                score = next(scores)
                if score < self.redact:
                    continue
                start, end = block if block is not None else prepared.span(window.start, window.end)
                found.append(
                    Detection(
                        self.name,
                        "detect.injection",
                        f"prompt injection (score {score:.3f}{', in a base64 block' if block else ''})",
                        path,
                        start,
                        end,
                        score=score,
                        action="deny" if score >= self.deny else "redact",
                    )
                )
        return found

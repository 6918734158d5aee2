"""The Detector protocol and what detectors return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from firewall.core.events import JsonPath

Segment = tuple[JsonPath, str]
"""One string of an event's payload and its JSON path (events.text_segments yields these)."""


@dataclass(frozen=True)
class Detection:
    detector: str
    rule_id: str
    message: str
    path: JsonPath
    start: int
    end: int
    score: float = 1.0
    action: Literal["report", "redact", "deny"] = "report"
    """What the detector recommends; the detection stage turns it into a verdict."""


class Detector(Protocol):
    name: str

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]: ...

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
    """One finding: which detector and rule, where (the segment's JSON path and a character span
    in its string), how confident, and what the detector recommends."""

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
    """Anything that inspects an event's strings and returns findings."""

    name: str

    async def detect(self, segments: Sequence[Segment]) -> list[Detection]:
        """The findings in these (path, text) segments; [] when there are none."""
        ...

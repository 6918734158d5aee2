"""The detection stage: detectors over what servers send (and secrets over what calls send out),
turned into one Verdict. The deterministic detectors read every string a server sends; the
classifier reads its prose (events.segments; docs/channels.md). Flagged spans of a result are
redacted, and the agent reads the rest; a result is denied whole only when a detector recommends it
(the classifier does when a window reached its deny threshold and the flagged spans are nearly all
of the output: detect/classifier.py); a secret in an argument denies the call. Every detection is a
finding: it reaches the policy input and the audit record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from firewall.core.events import (
    Decision,
    Event,
    Finding,
    Segment,
    Severity,
    Span,
    ToolCall,
    Verdict,
    channel_of,
    segments,
    text_segments,
)
from firewall.core.view import SessionView
from firewall.detect.base import Detection, Detector

_ACTIONS = {"report": Decision.ALLOW, "redact": Decision.REDACT, "deny": Decision.DENY}


class DetectionStage:
    """The detectors over an event's strings, their detections as findings of one verdict."""

    name = "detect"

    def __init__(
        self,
        output_detectors: Sequence[Detector],
        call_detectors: Sequence[Detector] = (),
        list_detectors: Sequence[Detector] | None = None,
    ) -> None:
        self.output_detectors = tuple(output_detectors)
        self.call_detectors = tuple(call_detectors)
        # Tool, prompt and resource descriptions (and a server's instructions) are instructions to
        # the model by design, so the injection classifier (trained on tool outputs) flags them
        # too often; they get only the deterministic detectors. Definition changes are caught by
        # pinning instead.
        self.list_detectors = self.output_detectors if list_detectors is None else tuple(list_detectors)
        # The deterministic detectors (the list detectors) read every string of an output; the
        # others (the classifier) read its prose only (events.segments decides which is which).
        self.prose_detectors = tuple(d for d in self.output_detectors if d not in self.list_detectors)

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """The detections on the event (the session is not read), or None when nothing is found."""
        runs: list[tuple[Detector, list[Segment]]]
        if isinstance(event, ToolCall):
            every = _nonblank(text_segments(event))
            runs = [(detector, every) for detector in self.call_detectors]
        else:
            found = segments(event)
            every = _nonblank(found.every)
            runs = [(detector, every) for detector in self.list_detectors]
            if channel_of(event).classify and self.prose_detectors:
                prose = _nonblank(found.prose)
                runs += [(detector, prose) for detector in self.prose_detectors]
        detections: list[Detection] = []
        for detector, segs in runs:
            if segs:
                detections += await detector.detect(segs)
        if not detections:
            return None
        findings = tuple(_finding(d) for d in detections)
        return Verdict(Decision.worst(*(_ACTIONS[d.action] for d in detections)), findings)


def _nonblank(found: Iterable[Segment]) -> list[Segment]:
    return [(path, text) for path, text in found if text.strip()]


def _finding(detection: Detection) -> Finding:
    severity: Severity = (
        "high" if detection.action == "deny" else "medium" if detection.action == "redact" else "low"
    )
    # Only a redaction carries its span into the wire's redaction; others keep it for the record.
    return Finding(
        detection.rule_id,
        detection.message,
        stage=f"detect.{detection.detector}",
        severity=severity,
        span=Span(detection.path, detection.start, detection.end),
        score=detection.score,
    )

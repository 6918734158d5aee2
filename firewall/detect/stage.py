"""The detection stage: detectors over what servers send (and secrets over what calls send out),
turned into one Verdict. Flagged spans of a result are redacted; a result with a window at or above
the deny threshold is denied whole; a secret in an argument denies the call. Every detection is a
finding: it reaches the policy input and the audit record."""

from __future__ import annotations

from collections.abc import Sequence

from firewall.detect.base import Detection, Detector
from firewall.events import (
    ContentEvent,
    Decision,
    Event,
    Finding,
    Severity,
    Span,
    ToolCall,
    ToolList,
    Verdict,
    text_segments,
)

_ACTIONS = {"report": Decision.ALLOW, "redact": Decision.REDACT, "deny": Decision.DENY}


class DetectionStage:
    name = "detect"

    def __init__(
        self,
        output_detectors: Sequence[Detector],
        call_detectors: Sequence[Detector] = (),
        list_detectors: Sequence[Detector] | None = None,
    ) -> None:
        self.output_detectors = tuple(output_detectors)
        self.call_detectors = tuple(call_detectors)
        # Tool, prompt and resource descriptions are instructions to the model by design, so the
        # injection classifier (trained on tool outputs) flags them too often; lists get only the
        # deterministic detectors. Definition changes are caught by pinning instead.
        self.list_detectors = self.output_detectors if list_detectors is None else tuple(list_detectors)

    async def decide(self, event: Event) -> Verdict | None:
        if isinstance(event, ToolCall):
            detectors = self.call_detectors
        elif isinstance(event, ToolList) or (
            isinstance(event, ContentEvent) and event.method.endswith("/list")
        ):
            detectors = self.list_detectors
        else:
            detectors = self.output_detectors
        segments = [(path, text) for path, text in text_segments(event) if text.strip()]
        if not detectors or not segments:
            return None
        detections: list[Detection] = []
        for detector in detectors:
            detections += await detector.detect(segments)
        if not detections:
            return None
        findings = tuple(_finding(d) for d in detections)
        return Verdict(max(_ACTIONS[d.action] for d in detections), findings)


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

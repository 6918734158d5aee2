"""Build the policy input document from an event and what the firewall knows about its session.

This is on the hot path of every decision, so it builds plain dicts; the pydantic models in
document.py define and document the shape (tests validate what this builds against them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from firewall.core.events import ContentEvent, Event, Finding, ToolCall, ToolList, ToolResult, text_segments
from firewall.core.labels import Label
from firewall.core.records import CallProvenance
from firewall.guard.state import SessionMemory
from firewall.policy.document import VERSION
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler

TEXT_CAP = 16 * 1024
_PHASES = {
    "resources/read": "resource",
    "prompts/get": "prompt",
    "sampling/createMessage": "sampling",
    "elicitation/create": "elicitation",
}


def phase_of(event: Event) -> str:
    if isinstance(event, ToolCall):
        return "call"
    if isinstance(event, ToolResult):
        return "result"
    if isinstance(event, ToolList):
        return "list"
    return _PHASES.get(event.method, "list")


def build_input(
    event: Event,
    graph: SessionGraph,
    memory: SessionMemory,
    labeler: Labeler,
    findings: Iterable[Finding] = (),
) -> dict[str, Any]:
    server_label = labeler.server(event.server)
    document: dict[str, Any] = {
        "version": VERSION,
        "principal": event.session.principal,
        "session": {
            "id": event.session.id,
            "context": graph.context.to_json(),
            "counts": {"calls": memory.calls, "denied": memory.denied, "outputs": memory.outputs},
        },
        "server": {
            "name": event.server,
            **server_label.to_json(),
            "cleared": _cleared(event.server, server_label, memory, labeler),
            "pin": memory.server_pin(event.server),
        },
        "findings": [_finding(f) for f in findings],
        "history": [
            {"server": h.server, "tool": h.tool, "decision": h.decision, "taint": h.taint}
            for h in memory.history
        ],
    }
    if isinstance(event, ToolCall):
        document["phase"] = "call"
        document["tool"] = _tool(event, memory)
        document["arguments"] = event.arguments
        if event.provenance is not None:
            document["provenance"] = _provenance(event.provenance)
        return document
    outputs = event.provenance
    label: Label = outputs[0].label if outputs else server_label
    texts = [{"path": list(path), "text": text[:TEXT_CAP]} for path, text in text_segments(event)]
    if isinstance(event, ToolResult):
        phase, kind, name = "result", "tool_result", event.call.tool
        document["tool"] = _tool(event.call, memory)
    elif isinstance(event, ToolList):
        phase, kind, name = "list", "tool_description", "tools/list"
    else:
        assert isinstance(event, ContentEvent)
        phase = _PHASES.get(event.method, "list")
        kind, name = (outputs[0].kind if outputs else phase), event.subject or event.method
    document["phase"] = phase
    document["content"] = {
        "kind": kind,
        "name": name,
        "label": label.to_json(),
        "bytes": sum(len(t["text"]) for t in texts),
        "texts": texts,
    }
    return document


def _finding(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "stage": finding.stage,
        "severity": finding.severity,
        "message": finding.message,
    }
    if finding.span is not None:
        data["span"] = {"path": list(finding.span.path), "start": finding.span.start, "end": finding.span.end}
    if finding.score is not None:
        data["score"] = finding.score
    return data


def _tool(call: ToolCall, memory: SessionMemory) -> dict[str, Any]:
    annotations = (call.tool_schema or {}).get("annotations")
    provenance = call.provenance
    return {
        "name": call.tool,
        "annotations": annotations if isinstance(annotations, dict) else {},
        "classes": sorted(provenance.classes) if provenance else [],
        "classes_from": provenance.classes_from if provenance else "defaults",
        "pin": memory.pin_state(call.server, call.tool),
    }


def _provenance(provenance: CallProvenance) -> dict[str, Any]:
    return {
        "node": provenance.node,
        "taint": provenance.taint.to_json(),
        "user_given": [list(path) for path in provenance.user_given],
        "derived_from": [
            {
                "path": list(a.path),
                "kind": a.kind,
                **a.label.to_json(),
                "whole": a.whole,
                "sources": list(a.sources),
                "servers": list(a.servers),
            }
            for a in provenance.arguments
        ],
    }


def _cleared(server: str, label: Label, memory: SessionMemory, labeler: Labeler) -> str:
    held = label
    for pinned_server, tool in memory.pins:
        if pinned_server == server:
            held = held.join(labeler.tool(server, tool))
    return held.to_json()["confidentiality"]

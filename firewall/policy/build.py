"""Build the policy input document from an event and the read-only view of its session.

This is on the hot path of every decision, so it builds plain dicts; the pydantic models in
document.py define and document the shape (tests validate what this builds against them).
"""

from __future__ import annotations

from typing import Any

from firewall.core.events import (
    CHANNELS,
    OTHER,
    ContentEvent,
    Event,
    Finding,
    ToolCall,
    ToolList,
    ToolResult,
    text_segments,
)
from firewall.core.labels import Label
from firewall.core.records import CallProvenance
from firewall.core.view import SessionView
from firewall.policy.document import VERSION
from firewall.provenance.labeler import Labeler

TEXT_CAP = 16 * 1024


def phase_of(event: Event) -> str:
    """The policy phase that judges the event: call, result, list, resource, prompt, ..."""
    if isinstance(event, ToolCall):
        return "call"
    if isinstance(event, ToolResult):
        return "result"
    if isinstance(event, ToolList):
        return "list"
    # By the method's channel, not the event's: an error reply to resources/read is judged in the
    # resource phase, as the content it stands for.
    return CHANNELS.get(event.method, OTHER).phase


def build_input(event: Event, view: SessionView, labeler: Labeler) -> dict[str, Any]:
    """The input document (document.py) for a traced event: the event, its provenance, and the
    session as the view shows it (context, counts, pins, history, the findings so far)."""
    server_label = labeler.server(event.server)
    counts = view.counts
    document: dict[str, Any] = {
        "version": VERSION,
        "principal": event.session.principal,
        "session": {
            "id": event.session.id,
            "context": view.context.to_json(),
            "counts": {"calls": counts.calls, "denied": counts.denied, "outputs": counts.outputs},
        },
        "server": {
            "name": event.server,
            **server_label.to_json(),
            "cleared": _cleared(event.server, server_label, view, labeler),
            "pin": view.server_pin(event.server),
        },
        "findings": [_finding(f) for f in view.findings],
        "history": [
            {"server": h.server, "tool": h.tool, "decision": h.decision, "taint": h.taint}
            for h in view.history
        ],
    }
    if isinstance(event, ToolCall):
        document["phase"] = "call"
        document["tool"] = _tool(event, view)
        document["arguments"] = event.arguments
        if event.provenance is not None:
            document["provenance"] = _provenance(event.provenance, event.server)
            document["session"]["counts"]["flagged"] = event.provenance.flagged
        return document
    outputs = event.provenance
    label: Label = outputs[0].label if outputs else server_label
    texts = [{"path": list(path), "text": text[:TEXT_CAP]} for path, text in text_segments(event)]
    phase = phase_of(event)
    if isinstance(event, ToolResult):
        kind, name = "tool_result", event.call.tool
        document["tool"] = _tool(event.call, view)
    elif isinstance(event, ToolList):
        kind, name = "tool_description", "tools/list"
    else:
        assert isinstance(event, ContentEvent)
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


def _tool(call: ToolCall, view: SessionView) -> dict[str, Any]:
    annotations = (call.tool_schema or {}).get("annotations")
    provenance = call.provenance
    return {
        "name": call.tool,
        "annotations": annotations if isinstance(annotations, dict) else {},
        "classes": sorted(provenance.classes) if provenance else [],
        "classes_from": provenance.classes_from if provenance else "defaults",
        "pin": view.pin_state(call.server, call.tool),
    }


def _provenance(provenance: CallProvenance, server: str) -> dict[str, Any]:
    return {
        "node": provenance.node,
        "taint": provenance.taint.to_json(),
        "user_given": [list(path) for path in provenance.user_given],
        "action_requested": provenance.action_requested,
        "object_named": provenance.object_named,
        "said_kinds": list(provenance.said_kinds),
        "content_requested": provenance.content_requested,
        "delegated": provenance.delegated,
        "content_dates": [list(path) for path in provenance.content_dates],
        "content_links": [list(path) for path in provenance.content_links],
        "derived_from": [
            {
                "path": list(a.path),
                "kind": a.kind,
                **a.label.to_json(),
                "whole": a.whole,
                "sources": list(a.sources),
                "servers": list(a.servers),
                "same_server": a.servers == (server,),
                "record": a.record,
                "flagged": a.flagged,
                "quoted": a.quoted,
                "in_link": a.in_link,
                "directed": a.directed,
            }
            for a in provenance.arguments
        ],
    }


def _cleared(server: str, label: Label, view: SessionView, labeler: Labeler) -> str:
    """The confidentiality the server is cleared for: its label joined with its pinned tools'."""
    held = label
    for tool in view.pinned_tools(server):
        held = held.join(labeler.tool(server, tool))
    return held.to_json()["confidentiality"]

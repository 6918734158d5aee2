"""Tracing: an event enters its session's provenance graph before any stage decides it, and the
stages decide the traced copy (the event with `provenance` set).

Every event is traced, whatever its verdict, so later calls inherit the taint of everything the
session was shown (a denied output is traced too: tracing is conservative, never optimistic).
Why a traced copy rather than provenance on the SessionView only: the provenance is a fact about
the event that outlives the decision (the audit record carries it, and a result's node is linked
to the node of the call it answers through `ToolResult.call`), and a frozen copy made once before
the stages run means no stage ever sees an untraced event and nothing changes it afterwards.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from firewall.core.events import (
    ContentEvent,
    Event,
    SessionInfo,
    ToolCall,
    ToolList,
    ToolResult,
    Verdict,
    channel_of,
    payload_of,
    segments,
    text_segments,
)
from firewall.core.labels import UNTRUSTED_PUBLIC
from firewall.core.payloads import value_at
from firewall.core.records import OutputProvenance
from firewall.guard.state import SessionState
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler


def trace(state: SessionState, event: Event, labeler: Labeler) -> Event:
    """Pin the tool definitions the event carries, add the event to the session's graph, and
    return the traced copy: the event with what the graph says about it as `provenance`."""
    graph = state.graph
    if isinstance(event, ToolCall):
        if event.tool_schema is not None:
            state.pins.pin(event.server, event.tool_schema)
        annotations = (event.tool_schema or {}).get("annotations")
        return dataclasses.replace(
            event, provenance=graph.add_call(event.server, event.tool, event.arguments, annotations)
        )
    if isinstance(event, ToolResult):
        produced_by = event.call.provenance.node if event.call.provenance else None
        label = labeler.tool(event.server, event.call.tool)
        output = graph.add_output(
            "tool_result", event.server, event.call.tool, _traced(event), label, produced_by
        )
        return dataclasses.replace(event, provenance=(output,))
    if isinstance(event, ToolList):
        tools = event.result.get("tools")
        # A page with a nextCursor is not the end of a list: tools on its later pages are not "added".
        state.pins.pin_all(event.server, tools, complete=not event.result.get("nextCursor"))
        return dataclasses.replace(
            event, provenance=tuple(_descriptions(graph, labeler, event.server, tools))
        )
    # Every other server-to-agent channel is that server's output in the graph; only what the
    # agent reads as data (results, resources, prompts, server requests) enters the session
    # context, the rest (instructions, lists, notifications, errors of other requests,
    # completions) feeds derivations only, like tool descriptions.
    channel = channel_of(event)
    if channel.kind == "resource":
        label = labeler.resource(event.server, event.subject)
    elif channel.name == "tool_error":  # a tools/call's error: labelled as its results are
        label = labeler.tool(event.server, event.subject)
    else:
        label = labeler.server(event.server)
    output = graph.add_output(
        channel.kind,
        event.server,
        event.subject or event.method,
        _traced(event),
        label,
        in_context=channel.in_context,
    )
    return dataclasses.replace(event, provenance=(output,))


def flag(state: SessionState, event: Event, verdict: Verdict) -> None:
    """Text a detector flagged in an output is the attacker's, whatever its source's label (an
    injected bill in the user's own files): it enters the graph as its own untrusted node, so a
    value the agent could only have learned there traces back to it as untrusted."""
    if isinstance(event, ToolCall) or not event.provenance:
        return
    payload = payload_of(event)
    texts = []
    for finding in verdict.findings:
        span = finding.span
        if span is None or not finding.rule_id.startswith("detect."):
            continue
        value = value_at(payload, span.path)
        if value is not None:
            texts.append(value[span.start : span.end])
    if texts:
        source = event.provenance[0]
        label = source.label.join(UNTRUSTED_PUBLIC)
        state.graph.add_output("flagged", event.server, source.name, texts, label, produced_by=source.node)


def _traced(event: ToolResult | ContentEvent) -> list[str]:
    """The texts of an output the provenance graph traces: its prose and its link-like values."""
    found = segments(event)
    return [text for _, text in found.prose] + [text for _, text in found.traced]


def _descriptions(graph: SessionGraph, labeler: Labeler, server: str, tools: Any) -> list[OutputProvenance]:
    """Each listed tool's description (and schema prose) as its own node, labelled per tool."""
    out = []
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            continue
        name = tool["name"]
        texts = [text for _, text in text_segments(ToolList(SessionInfo(""), server, tool))]
        # Descriptions are vetted when listed (detectors, pins) and not counted as session
        # context, or any untrusted server would make every session untrusted from the first
        # list; values copied from them still derive from them.
        out.append(
            graph.add_output(
                "tool_description", server, name, texts, labeler.tool(server, name), in_context=False
            )
        )
    return out

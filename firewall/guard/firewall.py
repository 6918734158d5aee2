"""The firewall as the relays and adapters see it: trace an event into the session's provenance
graph, decide it, and log the decision.

Tracing happens before the stages run, for every event and whatever the verdict, so later calls
inherit the taint of everything the session was shown (a denied output is traced too: tracing is
conservative, never optimistic).
"""

from __future__ import annotations

from typing import Any, Literal

from firewall.audit import AuditLog
from firewall.core.events import (
    ContentEvent,
    Decision,
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
    value_at,
)
from firewall.core.labels import BOTTOM, UNTRUSTED_PUBLIC
from firewall.core.pipeline import Pipeline
from firewall.core.records import OutputProvenance
from firewall.guard.state import CallRecord, memory_of
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler


def _traced(event: Event) -> list[str]:
    """The texts of an output the provenance graph traces: its prose and its link-like values."""
    found = segments(event)
    return [text for _, text in found.prose] + [text for _, text in found.traced]


class Firewall:
    def __init__(
        self,
        pipeline: Pipeline,
        audit: AuditLog,
        labeler: Labeler,
        *,
        max_nodes: int = 10_000,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.pipeline = pipeline
        self.audit = audit
        self.labeler = labeler
        self.max_nodes = max_nodes
        self.max_bytes = max_bytes

    def graph(self, session: SessionInfo) -> SessionGraph:
        graph = session.state.get("provenance")
        if graph is None:
            graph = SessionGraph(self.labeler, self.max_nodes, self.max_bytes)
            session.state["provenance"] = graph
        return graph

    async def decide(self, event: Event, method: str) -> Verdict:
        self.trace(event)
        verdict = await self.pipeline.decide(event)
        self._flag(event, verdict)
        # Logged before it is remembered: a decision whose record cannot be written raises
        # (AuditWriteError), the caller refuses the request, and the session must not count it.
        self.audit.decision(event, verdict, method=method)
        self._remember(event, verdict)
        return verdict

    def _flag(self, event: Event, verdict: Verdict) -> None:
        """Text a detector flagged in an output is the attacker's, whatever its source's label (an
        injected bill in the user's own files): it enters the graph as its own untrusted node, so
        a value the agent could only have learned there traces back to it as untrusted."""
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
            self.graph(event.session).add_output(
                "flagged", event.server, source.name, texts, label, produced_by=source.node
            )

    def _remember(self, event: Event, verdict: Verdict) -> None:
        memory = memory_of(event.session)
        if isinstance(event, ToolCall):
            memory.calls += 1
            memory.denied += verdict.decision is Decision.DENY
            taint = event.provenance.taint.trust.name.lower() if event.provenance else "trusted"
            memory.history.append(CallRecord(event.server, event.tool, verdict.decision.name.lower(), taint))
        else:
            memory.outputs += 1

    def add_message(
        self, session: SessionInfo, role: Literal["user", "system"], text: str
    ) -> OutputProvenance:
        """A user message or the system prompt: trusted content in the session's graph, so values the
        agent could have learned from it are not tainted by untrusted outputs that repeat them. MCP
        never carries these; in-process callers (replay, adapters) add them."""
        return self.graph(session).add_output(role, "", role, [text], BOTTOM)

    def record(self, event: Event, verdict: Verdict, *, method: str) -> None:
        """Log a decision taken outside the pipeline (a call the router could not route)."""
        self.audit.decision(event, verdict, method=method)

    def trace(self, event: Event) -> None:
        """Add the event to its session's provenance graph and attach what the graph says about it."""
        graph = self.graph(event.session)
        labeler = self.labeler
        memory = memory_of(event.session)
        if isinstance(event, ToolCall) and event.tool_schema is not None:
            memory.pin(event.server, event.tool_schema)
        elif isinstance(event, ToolList):
            for tool in event.result.get("tools") or []:
                if isinstance(tool, dict) and "name" in tool:
                    memory.pin(event.server, tool)
        if isinstance(event, ToolCall):
            annotations = (event.tool_schema or {}).get("annotations")
            event.provenance = graph.add_call(event.server, event.tool, event.arguments, annotations)
        elif isinstance(event, ToolResult):
            produced_by = event.call.provenance.node if event.call.provenance else None
            label = labeler.tool(event.server, event.call.tool)
            event.provenance = (
                graph.add_output(
                    "tool_result", event.server, event.call.tool, _traced(event), label, produced_by
                ),
            )
        elif isinstance(event, ToolList):
            event.provenance = tuple(self._descriptions(graph, event.server, event.result.get("tools")))
        elif isinstance(event, ContentEvent):
            # Every server-to-agent channel is that server's output in the graph; only what the
            # agent reads as data (results, resources, prompts, server requests) enters the
            # session context, the rest (instructions, lists, notifications, errors of other
            # requests, completions) feeds derivations only, like tool descriptions.
            channel = channel_of(event)
            if channel.kind == "resource":
                label = labeler.resource(event.server, event.subject)
            elif channel.name == "tool_error":  # a tools/call's error: labelled as its results are
                label = labeler.tool(event.server, event.subject)
            else:
                label = labeler.server(event.server)
            event.provenance = (
                graph.add_output(
                    channel.kind,
                    event.server,
                    event.subject or event.method,
                    _traced(event),
                    label,
                    in_context=channel.in_context,
                ),
            )

    def _descriptions(self, graph: SessionGraph, server: str, tools: Any) -> list[OutputProvenance]:
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
                    "tool_description", server, name, texts, self.labeler.tool(server, name), in_context=False
                )
            )
        return out

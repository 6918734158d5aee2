"""Typed events the pipeline decides on, and the Verdict a stage returns.

Events carry the raw JSON-RPC params/result dicts exactly as they crossed the wire, so a verdict
that allows a message forwards it byte-for-byte; only REDACT and DENY produce a new message.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from firewall.provenance.graph import CallProvenance, OutputProvenance

JsonPath = tuple[str | int, ...]
Severity = Literal["info", "low", "medium", "high", "critical"]


class Decision(enum.IntEnum):
    """Ordered by severity: when stages disagree, the highest value wins."""

    ALLOW = 0
    REDACT = 1
    ASK = 2
    DENY = 3


@dataclass(frozen=True)
class Span:
    """A character range inside one string of the event's payload."""

    path: JsonPath
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    rule_id: str
    message: str
    stage: str = ""
    severity: Severity = "medium"
    span: Span | None = None
    score: float | None = None
    """A detector's confidence, when the finding comes from one."""


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    findings: tuple[Finding, ...] = ()

    @classmethod
    def allow(cls) -> Verdict:
        return _ALLOW

    @classmethod
    def deny(cls, rule_id: str, message: str, **kw: Any) -> Verdict:
        return cls(Decision.DENY, (Finding(rule_id, message, **kw),))

    @property
    def rule_ids(self) -> list[str]:
        return sorted({f.rule_id for f in self.findings})

    @property
    def redactions(self) -> list[Span]:
        return [f.span for f in self.findings if f.span is not None]


_ALLOW = Verdict(Decision.ALLOW)


@dataclass
class SessionInfo:
    """Who is on the other end of a client session; later layers hang per-session state here."""

    id: str
    principal: str = "local"
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class ToolCall:
    """An agent's tools/call, after gateway routing: `tool` is the server's own tool name."""

    session: SessionInfo
    server: str
    tool: str
    arguments: dict[str, Any]
    request_id: str | int
    tool_schema: dict[str, Any] | None = None
    """The tool's entry from the server's tools/list, when the firewall has seen one."""
    provenance: CallProvenance | None = None
    """Filled in by the firewall before the stages run: taint, context, each argument's sources."""
    findings: tuple[Finding, ...] = ()
    """Findings of the stages that ran before the current one (the policy stage reads them)."""
    kind: Literal["tool_call"] = "tool_call"


@dataclass
class ToolResult:
    """A server's answer to a tools/call; `result` is the raw JSON-RPC result dict."""

    call: ToolCall
    result: dict[str, Any]
    provenance: tuple[OutputProvenance, ...] = ()
    findings: tuple[Finding, ...] = ()
    """Findings of the stages that ran before the current one (the policy stage reads them)."""
    kind: Literal["tool_result"] = "tool_result"

    @property
    def session(self) -> SessionInfo:
        return self.call.session

    @property
    def server(self) -> str:
        return self.call.server


@dataclass
class ToolList:
    """One page of a server's tools/list result; descriptions are content the agent will read."""

    session: SessionInfo
    server: str
    result: dict[str, Any]
    provenance: tuple[OutputProvenance, ...] = ()
    findings: tuple[Finding, ...] = ()
    """Findings of the stages that ran before the current one (the policy stage reads them)."""
    kind: Literal["tool_list"] = "tool_list"


@dataclass
class ContentEvent:
    """Any other server-to-agent content: resources/read, prompts/get, sampling and elicitation requests."""

    session: SessionInfo
    server: str
    method: str
    payload: dict[str, Any]
    """The result (for responses) or params (for server-to-client requests), raw."""
    subject: str = ""
    """What was asked for: the resource URI of resources/read, the prompt name of prompts/get."""
    provenance: tuple[OutputProvenance, ...] = ()
    findings: tuple[Finding, ...] = ()
    """Findings of the stages that ran before the current one (the policy stage reads them)."""
    kind: Literal["content"] = "content"


Event = ToolCall | ToolResult | ToolList | ContentEvent

# Keys whose string values are prose the agent (or its model) will read.
_PROSE_KEYS = frozenset({"text", "description", "message", "systemPrompt", "title"})


def payload_of(event: Event) -> dict[str, Any]:
    if isinstance(event, ToolCall):
        return event.arguments
    if isinstance(event, ContentEvent):
        return event.payload
    return event.result


def text_segments(event: Event) -> Iterator[tuple[JsonPath, str]]:
    """Every string in the event's payload a model would read, with its path (for spans)."""
    if isinstance(event, ToolCall):
        yield from _strings(event.arguments, (), everything=True)
        return
    yield from _strings(payload_of(event), (), everything=False)


def _strings(value: Any, path: JsonPath, *, everything: bool) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            inner = everything or key == "structuredContent"
            if isinstance(item, str):
                if inner or key in _PROSE_KEYS:
                    yield (*path, key), item
            else:
                yield from _strings(item, (*path, key), everything=inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                if everything:
                    yield (*path, index), item
            else:
                yield from _strings(item, (*path, index), everything=everything)

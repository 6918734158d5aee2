"""Typed events the pipeline decides on, and the Verdict a stage returns.

Events carry the raw JSON-RPC params/result dicts exactly as they crossed the wire, so a verdict
that allows a message forwards it byte-for-byte; only REDACT and DENY produce a new message.
"""

from __future__ import annotations

import binascii
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from firewall.core.records import CallProvenance, JsonPath, OutputProvenance

Severity = Literal["info", "low", "medium", "high", "critical"]


class Decision(enum.IntEnum):
    """Ordered by severity: when stages disagree, the highest value wins. This enum is the one
    place that order is written down: `worst` combines, `parse` reads a decision's name."""

    ALLOW = 0
    REDACT = 1
    ASK = 2
    DENY = 3

    @classmethod
    def parse(cls, name: str) -> Decision:
        """The decision a lower-case name means ("allow", "redact", "ask", "deny"); ValueError
        for any other name (a policy answer or a config action that names no decision)."""
        for decision in cls:
            if decision.name.lower() == name:
                return decision
        raise ValueError(f"not a decision: {name!r}")

    @classmethod
    def worst(cls, *decisions: Decision) -> Decision:
        """The most severe of the decisions; ALLOW when there are none."""
        return cls(max(decisions, default=cls.ALLOW))


@dataclass(frozen=True)
class Span:
    """A character range inside one string of the event's payload."""

    path: JsonPath
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    """One reason for a verdict: the rule that fired, what it saw, and where (span)."""

    rule_id: str
    message: str
    stage: str = ""
    severity: Severity = "medium"
    span: Span | None = None
    score: float | None = None
    """A detector's confidence, when the finding comes from one."""


@dataclass(frozen=True)
class Verdict:
    """What a stage (or the pipeline) decided about an event, with the findings behind it."""

    decision: Decision
    findings: tuple[Finding, ...] = ()

    @classmethod
    def allow(cls) -> Verdict:
        """ALLOW with no findings (one shared instance)."""
        return _ALLOW

    @classmethod
    def deny(cls, rule_id: str, message: str, **kw: Any) -> Verdict:
        """DENY with one finding; `kw` are the Finding's other fields (stage, severity, span)."""
        return cls(Decision.DENY, (Finding(rule_id, message, **kw),))

    @property
    def rule_ids(self) -> list[str]:
        """The distinct rule ids of the findings, sorted."""
        return sorted({f.rule_id for f in self.findings})

    @property
    def redactions(self) -> list[Span]:
        """The spans of the findings that carry one (what REDACT replaces)."""
        return [f.span for f in self.findings if f.span is not None]


_ALLOW = Verdict(Decision.ALLOW)


@dataclass(frozen=True)
class SessionInfo:
    """Who is on the other end of a client session: its id and principal, nothing else. What the
    firewall learns about the session lives in its SessionState (firewall.guard.state)."""

    id: str
    principal: str = "local"


# Events are frozen: nothing changes an event as it passes the stages. The firewall traces an
# event into its session's graph first and decides a traced copy (`provenance` filled in, made
# with dataclasses.replace); the findings of earlier stages reach later ones through the
# SessionView (firewall.core.view), not the event. The payload dicts are the wire's own and are
# never written to either: a redaction is a copy (firewall.core.payloads).


@dataclass(frozen=True)
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
    """Set on the traced copy the stages decide: taint, context, each argument's sources."""
    kind: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True)
class ToolResult:
    """A server's answer to a tools/call; `result` is the raw JSON-RPC result dict."""

    call: ToolCall
    result: dict[str, Any]
    provenance: tuple[OutputProvenance, ...] = ()
    """Set on the traced copy the stages decide: the node the result became."""
    kind: Literal["tool_result"] = "tool_result"

    @property
    def session(self) -> SessionInfo:
        """The session of the call this result answers."""
        return self.call.session

    @property
    def server(self) -> str:
        """The server the call went to."""
        return self.call.server


@dataclass(frozen=True)
class ToolList:
    """One page of a server's tools/list result; descriptions are content the agent will read."""

    session: SessionInfo
    server: str
    result: dict[str, Any]
    provenance: tuple[OutputProvenance, ...] = ()
    """Set on the traced copy the stages decide: one node per listed tool's description."""
    kind: Literal["tool_list"] = "tool_list"


@dataclass(frozen=True)
class ContentEvent:
    """Any other server-to-agent content: resources/read, prompts/get, sampling and elicitation requests."""

    session: SessionInfo
    server: str
    method: str
    payload: dict[str, Any]
    """The result (for responses) or params (for server-to-client requests), raw."""
    subject: str = ""
    """What was asked for: the resource URI of resources/read, the prompt name of prompts/get, the
    tool of a tools/call error or task."""
    provenance: tuple[OutputProvenance, ...] = ()
    """Set on the traced copy the stages decide: the node the content became."""
    kind: Literal["content"] = "content"
    channel: str = ""
    """The channel when the method alone does not name it: `error` and `tool_error` (a JSON-RPC
    error reply to `method`; the payload is {"error": {...}}), `task` (the CreateTaskResult of a
    task-augmented tools/call). Empty: the method's channel (see CHANNELS)."""


Event = ToolCall | ToolResult | ToolList | ContentEvent


def tool_catalog(tools: Any) -> dict[str, dict[str, Any]]:
    """tool name -> its tools/list entry, for the entries named by a string (anything else a
    server lists, a list or an object as a name included, is no catalog key)."""
    if not isinstance(tools, list):
        return {}
    return {t["name"]: t for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str)}


# -- which strings of a payload are inspected, and how ------------------------------------------
#
# Every string a server sends is a *segment*: (JSON path, text). Prose segments are what a model
# reads as language (texts, descriptions, messages, instructions, status messages, log text): the
# injection classifier reads them, and they are the texts the provenance graph traces. Value
# segments are every other string (ids, names, URIs, enum and default values, completion values,
# `_meta`, fields no schema defines): only the deterministic detectors read them. See
# docs/channels.md for the table of channels.

Segment = tuple[JsonPath, str]

DECODED = "(decoded)"
"""Last element of a segment's path when the segment is the decoded text of a base64 field (a
textual blob or image/audio data): the string at the path before it holds the base64."""

PROSE_KEYS = frozenset({"text", "description", "message", "systemPrompt", "title"})
"""Keys whose string values are prose the agent (or its model) will read."""

MIN_PROSE_WORDS = 5
"""On the metadata channels (`gated`), prose shorter than this many words is a value: the
classifier is noise-dominated on a title or a three-word status ("File System Access" scores as an
injection), and an instruction needs words."""

MAX_SNIFF_BYTES = 1024 * 1024
"""Base64 data whose MIME type is not textual is decoded and checked for text up to this size;
larger non-textual data (images, audio) is not inspected beyond the message cap
(limits.max_message_bytes)."""

_TEXTUAL_SUBTYPES = ("json", "xml", "yaml", "toml", "javascript", "ecmascript", "csv", "markdown", "sql")


@dataclass(frozen=True)
class Channel:
    """How one server-to-agent channel is read (docs/channels.md has the table)."""

    name: str
    kind: str
    """The provenance node kind of its outputs."""
    prose_keys: frozenset[str] = PROSE_KEYS
    free_keys: frozenset[str] = frozenset({"structuredContent"})
    """Keys under which every string is prose (structured content, log data, error data)."""
    traced_keys: frozenset[str] = frozenset()
    """Keys whose values (or list items) are traced into the provenance graph though not prose."""
    gated: bool = False
    """Prose needs MIN_PROSE_WORDS words to be read by the classifier; shorter is a value."""
    classify: bool = True
    """False: descriptions and instructions, which instruct the model by design and which the
    classifier flags too often; only the deterministic detectors read them."""
    in_context: bool = False
    """Whether the content enters the session context (what the agent read as data); otherwise it
    only feeds derivations, like tool descriptions. A flagged span always enters the context."""
    phase: str = "list"
    """The policy phase that judges content of this channel when its method names it (the
    `phases` a pack declares; docs/policy-input.md)."""


_NOTHING: frozenset[str] = frozenset()
_LINKS = frozenset({"uri", "name"})
TOOL_RESULT = Channel("tool_result", "tool_result", traced_keys=_LINKS, in_context=True)
TOOL_LIST = Channel("tool_list", "tool_description", classify=False)
_LIST = Channel("list", "description", classify=False)
_TASK = Channel("task", "task", frozenset({"statusMessage"}), _NOTHING, gated=True)
_ERROR = Channel("error", "error", frozenset({"message"}), frozenset({"data"}), gated=True)
OTHER = Channel("other", "content", free_keys=_NOTHING, gated=True)
"""Any other method or notification: prose keys (gated) to the classifier, every string to the
deterministic detectors."""

CHANNELS: dict[str, Channel] = {
    "resources/read": Channel("resource", "resource", traced_keys=_LINKS, in_context=True, phase="resource"),
    "prompts/get": Channel("prompt", "prompt", traced_keys=_LINKS, in_context=True, phase="prompt"),
    "sampling/createMessage": Channel("sampling", "sampling", in_context=True, phase="sampling"),
    "elicitation/create": Channel("elicitation", "elicitation", in_context=True, phase="elicitation"),
    "tasks/result": Channel("tool_result", "tool_result", traced_keys=_LINKS, in_context=True),
    "prompts/list": _LIST,
    "resources/list": _LIST,
    "resources/templates/list": _LIST,
    "initialize": Channel(
        "instructions",
        "instructions",
        frozenset({"instructions", "title", "description"}),
        _NOTHING,
        classify=False,
    ),
    "notifications/message": Channel("log", "log", _NOTHING, frozenset({"data"}), gated=True),
    "notifications/progress": Channel("progress", "progress", frozenset({"message"}), _NOTHING, gated=True),
    "notifications/tasks/status": _TASK,
    "tasks/get": _TASK,
    "tasks/cancel": _TASK,
    "tasks/list": _TASK,
    # Completion values are what a user picks from, not what the model reads: scanned, and a node
    # of the graph, but not traced (a file name the user picked would taint the calls using it).
    "completion/complete": Channel("completion", "completion", _NOTHING, _NOTHING, classify=False),
    # channels named by ContentEvent.channel rather than by their method
    "task": _TASK,
    "error": _ERROR,
    "tool_error": Channel(
        "tool_error", "tool_result", frozenset({"message"}), frozenset({"data"}), gated=True, in_context=True
    ),
}
CHANNELS["server/discover"] = CHANNELS["initialize"]


def channel_of(event: Event) -> Channel:
    """How the event's payload is read (its channel; OTHER for a call or an unknown method)."""
    if isinstance(event, ToolResult):
        return TOOL_RESULT
    if isinstance(event, ToolList):
        return TOOL_LIST
    if isinstance(event, ContentEvent):
        return CHANNELS.get(event.channel or event.method, OTHER)
    return OTHER


@dataclass(frozen=True)
class Segments:
    """The strings of one payload, sorted by who reads them."""

    prose: list[Segment]
    """The classifier's input, and the texts traced into the provenance graph."""
    values: list[Segment]
    """Every other string: only the deterministic detectors read these."""
    traced: list[Segment]
    """The values the provenance graph also traces (resource links' URIs and names)."""

    @property
    def every(self) -> list[Segment]:
        """All of the payload's strings: the prose, then the other values (`traced` is among them)."""
        return self.prose + self.values


def payload_of(event: Event) -> dict[str, Any]:
    """The event's raw payload: a call's arguments, a content event's payload, else the result."""
    if isinstance(event, ToolCall):
        return event.arguments
    if isinstance(event, ContentEvent):
        return event.payload
    return event.result


def text_segments(event: Event) -> Iterator[Segment]:
    """The prose of the event's payload (every argument string, for a call), with its path."""
    if isinstance(event, ToolCall):
        yield from _every_string(event.arguments, ())
        return
    yield from segments(event).prose


def segments(event: Event) -> Segments:
    """Every string of the event's payload, split into prose and values by its channel."""
    if isinstance(event, ToolCall):
        return Segments(list(_every_string(event.arguments, ())), [], [])
    channel = channel_of(event)
    found: list[tuple[JsonPath, str, int]] = []
    _walk(payload_of(event), (), channel, _NORMAL, found)
    prose: list[Segment] = []
    values: list[Segment] = []
    traced: list[Segment] = []
    for path, text, role in found:
        if role == _PROSE and channel.gated and not _wordy(text):
            role = _VALUE
        if role == _PROSE:
            prose.append((path, text))
        else:
            values.append((path, text))
            if role == _TRACED:
                traced.append((path, text))
    return Segments(prose, values, traced)


# roles of a string, and the walk's modes
_PROSE, _VALUE, _TRACED = 0, 1, 2
_NORMAL, _FREE, _META, _TRACE = 0, 1, 2, 3
"""How strings below a key are read: by key, all prose, all values (`_meta`), all traced values."""


def _walk(
    value: Any, path: JsonPath, channel: Channel, mode: int, out: list[tuple[JsonPath, str, int]]
) -> None:
    if isinstance(value, dict):
        binary = _binary_key(value)
        for key, item in value.items():
            inner = (*path, key)
            if isinstance(item, str):
                if key == binary:
                    _binary(item, value.get("mimeType"), inner, mode, out)
                elif mode == _META:
                    out.append((inner, item, _VALUE))
                elif mode == _FREE or key in channel.prose_keys:
                    out.append((inner, item, _PROSE))
                else:
                    out.append((inner, item, _TRACED if key in channel.traced_keys else _VALUE))
            elif isinstance(item, dict | list):
                if mode == _META or key == "_meta":
                    sub = _META
                elif mode == _FREE or key in channel.free_keys:
                    sub = _FREE
                elif key in channel.traced_keys:
                    sub = _TRACE
                else:
                    sub = _NORMAL
                _walk(item, inner, channel, sub, out)
    elif isinstance(value, list):
        role = _PROSE if mode == _FREE else _TRACED if mode == _TRACE else _VALUE
        for index, item in enumerate(value):
            if isinstance(item, str):
                out.append(((*path, index), item, role))
            elif isinstance(item, dict | list):
                _walk(item, (*path, index), channel, _NORMAL if mode == _TRACE else mode, out)


def _every_string(value: Any, path: JsonPath) -> Iterator[Segment]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _every_string(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _every_string(item, (*path, index))


def _wordy(text: str) -> bool:
    return len(text.split(maxsplit=MIN_PROSE_WORDS - 1)) >= MIN_PROSE_WORDS


def _binary_key(item: dict[str, Any]) -> str | None:
    """The key of a content block's base64 data: a resource's `blob`, an image's or audio's `data`."""
    if isinstance(item.get("blob"), str):
        return "blob"
    if item.get("type") in ("image", "audio") and isinstance(item.get("data"), str):
        return "data"
    return None


def _binary(raw: str, mime: Any, path: JsonPath, mode: int, out: list[tuple[JsonPath, str, int]]) -> None:
    """Base64 data: scanned as the text it encodes when that is text (a text/*, JSON, XML or YAML
    blob, or bytes that are UTF-8 text whatever the MIME type says). Data that is not valid base64
    is an ordinary string, and scanned as one."""
    try:
        data: bytes | None = binascii.a2b_base64(raw, strict_mode=True)
    except (binascii.Error, ValueError):
        out.append((path, raw, _VALUE))
        data = decode_base64(raw)
    if data is None:
        return
    text = _as_text(data, mime if isinstance(mime, str) else "")
    if text:
        out.append(((*path, DECODED), text, _VALUE if mode == _META else _PROSE))


def decode_base64(raw: str) -> bytes | None:
    """Lenient base64 (what a client decodes): None when even that fails."""
    try:
        return binascii.a2b_base64(raw)
    except (binascii.Error, ValueError):
        return None


def textual(mime: str) -> bool:
    """Whether a MIME type names text: text/*, or a JSON, XML, YAML (and similar) type."""
    kind = mime.split(";", 1)[0].strip().lower()
    if kind.startswith("text/"):
        return True
    subtype = kind.partition("/")[2]
    return any(subtype == s or subtype.endswith(("+" + s, "-" + s, "." + s)) for s in _TEXTUAL_SUBTYPES) or (
        subtype in ("x-yaml", "x-sh", "x-python", "graphql", "x-ndjson", "svg+xml")
    )


def _as_text(data: bytes, mime: str) -> str | None:
    if textual(mime):
        return data.decode("utf-8", errors="replace")
    if len(data) > MAX_SNIFF_BYTES:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = text[:4096]
    if not head or "\x00" in head:
        return None
    printable = sum(1 for c in head if c.isprintable() or c in "\n\r\t")
    return text if printable >= 0.95 * len(head) else None

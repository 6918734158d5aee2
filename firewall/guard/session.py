"""The firewall in process: one agent session's tool lists, calls and results, decided without MCP
on the wire.

`Guard` is what the relay, `replay` and the framework adapters call: the same `Firewall.decide`
on the same events, so one policy and one provenance graph behave the same everywhere.

    guard = Guard(build_firewall(load_config(path)))
    guard.add_message("user", "Summarise my inbox")
    tools = await guard.check_tools("mail", [{"name": "send_email", "description": ..., "inputSchema": ...}])
    call = await guard.check_call("mail", "send_email", {"to": ..., "body": ...})
    if call.allowed:
        shown = await guard.check_result(call, as_result(run_the_tool(**call.arguments)))  # shown.result: redacted or a denial
"""

from __future__ import annotations

import base64
import copy
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from firewall.core.events import (
    DECODED,
    Channel,
    ContentEvent,
    Decision,
    Finding,
    JsonPath,
    SessionInfo,
    Span,
    ToolCall,
    ToolList,
    ToolResult,
    Verdict,
    tool_catalog,
    value_at,
)
from firewall.guard.firewall import Firewall
from firewall.guard.state import memory_of
from firewall.proxy import wire


@dataclass(frozen=True)
class CallCheck:
    call: ToolCall
    verdict: Verdict
    arguments: dict[str, Any] | None
    """What to run the tool with (possibly redacted); None when the call is denied."""

    @property
    def allowed(self) -> bool:
        return self.arguments is not None

    @property
    def message(self) -> str:
        """For a denied call: the sentence the agent gets instead of a result."""
        return wire.explain(self.verdict)


@dataclass(frozen=True)
class ResultCheck:
    verdict: Verdict
    result: dict[str, Any]
    """What the agent may see: the result, a redacted copy, or a denial (an MCP tool error result)."""

    @property
    def allowed(self) -> bool:
        return self.verdict.decision is not Decision.DENY

    @property
    def redacted(self) -> bool:
        return self.verdict.decision is Decision.REDACT

    @property
    def text(self) -> str:
        return "\n".join(
            block.get("text", "") for block in self.result.get("content", []) if isinstance(block, dict)
        )


def as_result(output: Any) -> dict[str, Any]:
    """An MCP CallToolResult dict from what an in-process tool returned (text, a dict, or a result)."""
    if isinstance(output, dict) and isinstance(output.get("content"), list):
        return output
    if isinstance(output, str):
        return {"content": [{"type": "text", "text": output}]}
    return {"content": [{"type": "text", "text": str(output)}], "structuredContent": {"result": output}}


class Guard:
    """One agent session. Not thread-safe: one agent loop drives it (async, on one event loop)."""

    def __init__(
        self, firewall: Firewall, session: SessionInfo | None = None, *, principal: str = "local"
    ) -> None:
        self.firewall = firewall
        self.session = session or SessionInfo(id=uuid.uuid4().hex, principal=principal)
        self.catalogs: dict[str, dict[str, dict[str, Any]]] = {}
        """server -> tool name -> its definition, from check_tools."""
        self._ids = itertools.count(1)

    def add_message(self, role: Literal["user", "system"], text: str) -> None:
        """A user message or the system prompt enters the provenance graph as trusted content."""
        self.firewall.add_message(self.session, role, text)

    async def check_tools(self, server: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Decide a server's tool list (descriptions are content the model reads; definitions are
        pinned). Returns the list as the agent may see it: redacted descriptions, or [] if denied."""
        self.note_tools(server, tools)
        self.catalogs[server] = tool_catalog(tools)
        shown = (await self.check_list_page(server, {"tools": tools})).result
        return list(shown["tools"]) if "tools" in shown else []

    def note_tools(self, server: str, tools: list[Any]) -> None:
        """Pin a server's tools before its list is decided (a gateway learns every server's tools
        first, so a description naming another server's tool is caught whatever the order)."""
        memory = memory_of(self.session)
        for tool in tools:
            if isinstance(tool, dict) and "name" in tool:
                memory.pin(server, tool)

    async def check_list_page(self, server: str, page: dict[str, Any]) -> ResultCheck:
        """Decide one tools/list result page as it came from the server."""
        verdict = await self.firewall.decide(ToolList(self.session, server, page), "tools/list")
        return self._shown(verdict, page)

    async def check_call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        *,
        schema: dict[str, Any] | None = None,
        call_id: str | int | None = None,
    ) -> CallCheck:
        """Decide a call before it runs. `schema` defaults to the tool's entry from check_tools; a
        tool with neither is unknown, and denied (as through the relay)."""
        if schema is None:
            schema = self.catalogs.get(server, {}).get(tool)
        call = ToolCall(
            self.session, server, tool, arguments, call_id if call_id is not None else next(self._ids), schema
        )
        verdict = await self.firewall.decide(call, "tools/call")
        return CallCheck(call, verdict, wire.apply_to_payload(verdict, arguments))

    async def check_result(
        self,
        call: CallCheck | ToolCall,
        result: dict[str, Any],
        *,
        modern: bool = False,
        method: str = "tools/call",
    ) -> ResultCheck:
        """Decide a tool's result (an MCP CallToolResult dict, exactly as the server sent it; see
        `as_result` for in-process tools) before the agent sees it. `modern`: a 2026-07-28 denial.
        `method`: what carried it (`tasks/result` for a task-augmented call's result)."""
        event = ToolResult(call.call if isinstance(call, CallCheck) else call, result)
        return self._shown(await self.firewall.decide(event, method), result, modern=modern)

    async def check_content(
        self, server: str, method: str, payload: dict[str, Any], subject: str = "", *, channel: str = ""
    ) -> ResultCheck:
        """Decide any other server-to-agent content: resources/read and prompts/get results,
        sampling and elicitation requests, the `initialize` result, lists, notifications, task
        statuses, completions, and (with channel="error" or "tool_error", payload
        {"error": {...}}) error replies. See docs/channels.md."""
        event = ContentEvent(self.session, server, method, payload, subject, channel=channel)
        verdict = await self.firewall.decide(event, method)
        return self._shown(verdict, payload)

    @staticmethod
    def apply(verdict: Verdict, payload: dict[str, Any]) -> dict[str, Any] | None:
        """wire.apply_to_payload, and a flagged span inside decoded base64 (a textual blob) is
        redacted in the decoded text, which is encoded again."""
        out = wire.apply_to_payload(verdict, payload)
        if out is None or out is payload:
            return out
        decoded = [s for s in verdict.redactions if s.path and s.path[-1] == DECODED]
        return _redact_decoded(out, decoded) if decoded else out

    @staticmethod
    def withhold(verdict: Verdict, payload: dict[str, Any], channel: Channel) -> dict[str, Any]:
        """For channels where a denial drops what was flagged, not the message (the handshake, task
        statuses): a copy of payload without the flagged prose fields, other flagged spans redacted;
        without every prose field of the channel when the denial flagged nothing (a stage error)."""
        spans = verdict.redactions
        if not spans:
            return remove_paths(payload, list(_prose_fields(payload, channel, ())))
        fields = {s.path[:-1] if s.path and s.path[-1] == DECODED else s.path for s in spans}
        prose = {f for f in fields if f and f[-1] in channel.prose_keys}
        rest = [s for s in spans if s.path not in prose]
        out = Guard.apply(Verdict(Decision.REDACT, tuple(Finding("", "", span=s) for s in rest)), payload)
        return remove_paths(out if out is not None else payload, list(prose))

    @staticmethod
    def _shown(verdict: Verdict, payload: dict[str, Any], *, modern: bool = False) -> ResultCheck:
        shown = Guard.apply(verdict, payload)
        return ResultCheck(
            verdict, shown if shown is not None else wire.denied_tool_result(verdict, modern=modern)
        )


def remove_paths(payload: dict[str, Any], paths: list[JsonPath]) -> dict[str, Any]:
    """A copy of payload without the values at these paths (dict keys deleted, list items removed)."""
    out = copy.deepcopy(payload)
    for path in sorted(paths, key=_path_key, reverse=True):  # later list items first
        if not path:
            continue
        parent: Any = out
        try:
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
                del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
    return out


def _prose_fields(value: Any, channel: Channel, path: JsonPath) -> Iterator[JsonPath]:
    """The paths of a payload's prose fields, whatever their length (not under `_meta`)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "_meta":
                continue
            if key in channel.free_keys or (isinstance(item, str) and key in channel.prose_keys):
                yield (*path, key)
            elif isinstance(item, dict | list):
                yield from _prose_fields(item, channel, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _prose_fields(item, channel, (*path, index))


def _path_key(path: JsonPath) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, k) if isinstance(k, int) else (1, k) for k in path)


def _redact_decoded(payload: dict[str, Any], spans: list[Span]) -> dict[str, Any]:
    """Redact spans of decoded base64 text in place (payload is already a copy) and re-encode."""
    by_field: dict[JsonPath, list[Span]] = {}
    for span in spans:
        by_field.setdefault(span.path[:-1], []).append(span)
    for path, field_spans in by_field.items():
        text = value_at(payload, (*path, DECODED))
        parent: Any = payload
        try:
            for key in path[:-1]:
                parent = parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        if text is None or not path:
            continue
        redacted = wire.redact({"t": text}, [Span(("t",), s.start, s.end) for s in field_spans])["t"]
        parent[path[-1]] = base64.b64encode(redacted.encode()).decode("ascii")
    return payload

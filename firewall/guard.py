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

import itertools
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from firewall import wire
from firewall.core import Firewall
from firewall.events import ContentEvent, Decision, SessionInfo, ToolCall, ToolList, ToolResult, Verdict
from firewall.memory import memory_of


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
        self.catalogs[server] = {t["name"]: t for t in tools if isinstance(t, dict) and "name" in t}
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
        self, call: CallCheck | ToolCall, result: dict[str, Any], *, modern: bool = False
    ) -> ResultCheck:
        """Decide a tool's result (an MCP CallToolResult dict, exactly as the server sent it; see
        `as_result` for in-process tools) before the agent sees it. `modern`: a 2026-07-28 denial."""
        event = ToolResult(call.call if isinstance(call, CallCheck) else call, result)
        return self._shown(await self.firewall.decide(event, "tools/call"), result, modern=modern)

    async def check_content(
        self, server: str, method: str, payload: dict[str, Any], subject: str = ""
    ) -> ResultCheck:
        """Decide other server-to-agent content (resources/read, prompts/get, sampling requests)."""
        verdict = await self.firewall.decide(
            ContentEvent(self.session, server, method, payload, subject), method
        )
        return self._shown(verdict, payload)

    @staticmethod
    def _shown(verdict: Verdict, payload: dict[str, Any], *, modern: bool = False) -> ResultCheck:
        shown = wire.apply_to_payload(verdict, payload)
        return ResultCheck(
            verdict, shown if shown is not None else wire.denied_tool_result(verdict, modern=modern)
        )

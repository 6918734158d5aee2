"""One agent conversation as the adapters see it: `RuntimeSession`, a
`firewall.guard.session.FirewallSession` hosted on the FirewallRuntime's thread, callable from any
thread (`check_call`) or event loop (`acheck_call`), that can also keep the trace it decided
(docs/trace-format.md) so `mcp-firewall replay` can decide it again.

The methods without an `a`/sync facade (`note_message`, `register_tools`, `list_tool`,
`decide_call`, `decide_result`, `answer_call`) run on the runtime's thread: adapters compose them
into one coroutine and hand it over once (`runtime.run` / `runtime.arun`).

A call the policy decides ASK is put to the session's `approver` (see mcp_firewall_adapters.approval);
an adapter whose framework asks the person itself decides it with `approver=DEFER`, gets the question
back unanswered (`CallCheck.pending`), and settles it with the person's answer (`answer`).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from firewall.approve.approvers import Approver, Deferred
from firewall.approve.question import Answer
from firewall.core.events import Decision
from firewall.core.payloads import fingerprint
from firewall.guard.session import CallCheck, FirewallSession, ResultCheck

if TYPE_CHECKING:
    from mcp_firewall_adapters.runtime import FirewallRuntime

Role = Literal["user", "system"]


def list_decision(tools: list[dict[str, Any]], shown: list[dict[str, Any]]) -> str:
    """A tools/list decision from what it let through: all of it, a redacted copy, or nothing."""
    if shown == tools:
        return "allow"
    return "deny" if not shown and tools else "redact"


PARTIAL_LIST = "mcp-firewall-adapter:one-tool-at-a-time"
"""The cursor a one-tool page carries: more of the server's list follows."""


class RuntimeSession:
    """One agent session on a FirewallRuntime: its FirewallSession (provenance graph, catalog,
    pins), the tool lists it was shown, its calls, and (when `record`) the trace it decided."""

    def __init__(
        self,
        runtime: FirewallRuntime,
        firewall_session: FirewallSession,
        *,
        record: bool = False,
        approver: Approver | None = None,
    ) -> None:
        self.runtime = runtime
        self.firewall_session = firewall_session
        """The session's decisions, made on the runtime's thread."""
        self.record = record
        self.approver = approver
        """Who answers its calls' questions (None: the firewall's out-of-band approver, if any)."""
        self.trace: list[dict[str, Any]] = []
        """What the session decided, as trace lines (when `record`)."""
        self.decisions: list[str] = []
        """One per trace line: recorded (messages), allow, redact or deny, as `replay` reports them."""
        self.pending: dict[str, CallCheck] = {}
        """Allowed calls waiting for their result, by the framework's call id (Agents SDK)."""
        self.declared: dict[str, dict[str, dict[str, Any]]] = {}
        """server -> tool name -> definition, for in-process tools registered on first use."""
        self.memo: dict[str, Any] = {}
        """For adapters: what they already sent this session (read and written on their side)."""
        self._messages: set[str] = set()
        self._lists: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self._listed: dict[str, dict[str, dict[str, Any]]] = {}
        self._listed_as: dict[tuple[str, str], tuple[str, bool]] = {}
        self._list_worst: dict[str, Decision] = {}
        self._trace_ids = itertools.count(1)
        self._trace_id_of: dict[int, int] = {}

    @property
    def id(self) -> str:
        """The session's id (its audit records carry it)."""
        return self.firewall_session.info.id

    # -- sync and async facades (any thread / any event loop) -----------------------------------

    def add_message(self, role: Role, text: str) -> None:
        """A user message or the system prompt enters the graph as trusted content."""
        self.runtime.call(self.note_message, role, text)

    async def aadd_message(self, role: Role, text: str) -> None:
        """`add_message`, from any event loop."""
        await self.runtime.arun(_as_coroutine(self.note_message), role, text)

    def check_tools(self, server: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`register_tools`, from any thread."""
        return self.runtime.run(self.register_tools, server, tools)

    async def acheck_tools(self, server: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`register_tools`, from any event loop."""
        return await self.runtime.arun(self.register_tools, server, tools)

    def check_call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        *,
        call_id: str | int | None = None,
        approver: Approver | Deferred | None = None,
    ) -> CallCheck:
        """`decide_call`, from any thread."""
        return self.runtime.run(self.decide_call, server, tool, arguments, call_id, approver)

    async def acheck_call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        *,
        call_id: str | int | None = None,
        approver: Approver | Deferred | None = None,
    ) -> CallCheck:
        """`decide_call`, from any event loop."""
        return await self.runtime.arun(self.decide_call, server, tool, arguments, call_id, approver)

    def answer(self, check: CallCheck, answer: Answer) -> CallCheck:
        """`answer_call`, from any thread."""
        return self.runtime.call(self.answer_call, check, answer)

    async def aanswer(self, check: CallCheck, answer: Answer) -> CallCheck:
        """`answer_call`, from any event loop."""
        return await self.runtime.arun(_as_coroutine(self.answer_call), check, answer)

    def check_result(self, call: CallCheck, result: dict[str, Any]) -> ResultCheck:
        """`decide_result`, from any thread."""
        return self.runtime.run(self.decide_result, call, result)

    async def acheck_result(self, call: CallCheck, result: dict[str, Any]) -> ResultCheck:
        """`decide_result`, from any event loop."""
        return await self.runtime.arun(self.decide_result, call, result)

    def has_message(self, key: str) -> bool:
        """Whether a message with this key was added (a peek, from any thread)."""
        return key in self._messages

    def listed(self, server: str, tools: list[dict[str, Any]]) -> bool:
        """Whether this exact list is the server's last decided one (a peek, from any thread)."""
        known = self._lists.get(server)
        return known is not None and known[0] == fingerprint(tools)

    def tool_shown(self, server: str, tool: dict[str, Any]) -> bool | None:
        """`list_tool`'s answer for this exact definition, if it was decided (a peek)."""
        known = self._listed_as.get((server, str(tool.get("name"))))
        return known[1] if known is not None and known[0] == fingerprint(tool) else None

    # -- on the runtime's thread ---------------------------------------------------------------

    def note_message(self, role: Role, text: str, key: str | None = None) -> bool:
        """Add a message once (by `key`, default its role and text); False when already added."""
        key = key or fingerprint([role, text])
        if key in self._messages or not text:
            return False
        self._messages.add(key)
        self.firewall_session.add_message(role, text)
        self._record({"type": role, "content": text}, "recorded")
        return True

    async def register_tools(self, server: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Decide a server's whole tool list (as the relay decides tools/list), once per distinct
        list: the list as the agent may see it (redacted descriptions; [] when denied)."""
        digest = fingerprint(tools)
        known = self._lists.get(server)
        if known is not None and known[0] == digest:
            return known[1]
        shown = await self.firewall_session.check_tools(server, tools)
        self._lists[server] = (digest, shown)
        self._record({"type": "tools_list", "server": server, "tools": tools}, list_decision(tools, shown))
        return shown

    def registered(self, server: str, tool: str) -> bool:
        """Whether the session knows this tool from a decided list (a peek, from any thread)."""
        return self.firewall_session.state.catalog.knows(server, tool)

    async def ensure_declared(self, server: str, tool: str) -> None:
        """Register the in-process tools declared for `server` if `tool` is not registered yet."""
        tools = list(self.declared.get(server, {}).values())
        if tools and not self.registered(server, tool):
            await self.register_tools(server, tools)

    async def list_tool(self, server: str, tool: dict[str, Any]) -> bool:
        """Decide one listed tool on its own (a per-tool filter sees one at a time), once per
        distinct definition: True when the firewall shows it unchanged. The trace gets the
        server's accumulated list, with the worst decision so far (what replay decides for it)."""
        name = str(tool.get("name"))
        digest = fingerprint(tool)
        known = self._listed_as.get((server, name))
        if known is not None and known[0] == digest:
            return known[1]
        listed = self._listed.setdefault(server, {})
        listed[name] = tool
        self.firewall_session.state.catalog.extend(server, [tool])
        # A per-tool filter never sees the end of the server's list: the page says so (a cursor), or
        # the firewall would take the first tool for the whole list and every other for an addition.
        page = {"tools": [tool], "nextCursor": PARTIAL_LIST}
        verdict = (await self.firewall_session.check_list_page(server, page)).verdict
        shown = verdict.decision is Decision.ALLOW
        self._listed_as[(server, name)] = (digest, shown)
        self._list_worst[server] = Decision.worst(
            self._list_worst.get(server, Decision.ALLOW), verdict.decision
        )
        line = {"type": "tools_list", "server": server, "tools": list(listed.values())}
        decision = self._list_worst[server].name.lower()
        if (
            self.record
            and self.trace
            and self.trace[-1].get("type") == "tools_list"
            and self.trace[-1]["server"] == server
        ):
            # The filter's next tool of the same list: one list in the trace (replay lists it whole,
            # and a tool listed after a list of its own would read as added mid-session).
            self.trace[-1], self.decisions[-1] = line, decision
        else:
            self._record(line, decision)
        return shown

    async def decide_call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        call_id: str | int | None = None,
        approver: Approver | Deferred | None = None,
    ) -> CallCheck:
        """Decide a tool call before it runs (as the relay decides tools/call), recording it in
        the trace when `record`; the CallCheck is what `decide_result` needs for its output. An ASK
        goes to `approver` (default the session's); with DEFER it comes back `pending`, for
        `answer_call`."""
        check = await self.firewall_session.check_call(
            server,
            tool,
            arguments,
            call_id=call_id,
            approver=approver if approver is not None else self.approver,
        )
        if not check.pending:
            self._record_call(check)
        return check

    def answer_call(self, check: CallCheck, answer: Answer) -> CallCheck:
        """Settle a pending call (`decide_call` with DEFER) with the person's answer: allowed or
        denied, its audit record carrying the question and the answer. A call that is not pending
        is returned as it is."""
        if not check.pending or check.question is None:
            return check
        settled = self.firewall_session.answered(check.call, check.verdict, check.question, answer)
        self._record_call(settled)
        return settled

    def _record_call(self, check: CallCheck) -> None:
        call = check.call
        server, tool, arguments = call.server, call.tool, call.arguments
        if self.record:
            trace_id = next(self._trace_ids)
            if check.allowed:
                self._trace_id_of[id(check)] = trace_id
            line = {"type": "call", "id": trace_id, "server": server, "tool": tool, "arguments": arguments}
            self._record(line, check.verdict.decision.name.lower())

    async def decide_result(self, call: CallCheck, result: dict[str, Any]) -> ResultCheck:
        """Decide an allowed call's output (an MCP CallToolResult dict) before the agent sees it,
        recording it in the trace when `record`."""
        shown = await self.firewall_session.check_result(call, result)
        if self.record:
            line: dict[str, Any] = {
                "type": "result",
                "id": self._trace_id_of.pop(id(call), 0),
                "content": result.get("content", []),
            }
            if isinstance(result.get("structuredContent"), dict):
                line["structuredContent"] = result["structuredContent"]
            if result.get("isError"):
                line["isError"] = True
            self._record(line, shown.verdict.decision.name.lower())
        return shown

    # -- the trace -----------------------------------------------------------------------------

    def _record(self, line: dict[str, Any], decision: str) -> None:
        if self.record:
            self.trace.append(line)
            self.decisions.append(decision)

    def write_trace(self, path: str | Path) -> Path:
        """The recorded trace as JSONL, for `mcp-firewall replay PATH`."""
        path = Path(path)
        path.write_text("".join(json.dumps(line) + "\n" for line in self.trace), encoding="utf-8")
        return path


def _as_coroutine(fn: Any) -> Any:
    """A coroutine function that calls the plain function `fn`."""

    async def work(*args: Any) -> Any:
        return fn(*args)

    return work

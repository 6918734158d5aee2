"""`FirewallMiddleware`: mcp-firewall around every tool call and result of a LangChain 1.x agent.

    agent = create_agent(model, tools, middleware=[FirewallMiddleware("firewall.toml")])

Before each model call (`wrap_model_call`), new user messages and the system prompt enter the
session's provenance graph as trusted, and the tools the model is shown are decided as tool lists,
one per server (`check_tools`: injected descriptions redacted, a denied list hidden), once per
distinct list. Around each tool call (`wrap_tool_call`), the call is decided before it runs (a
denied call never runs: the model gets a ToolMessage with status "error" and the reason) and the
result before the model sees it (redacted in place, or replaced by the denial).

A call the policy asks about goes to `approver=` when given; else, in an agent with a checkpointer,
the graph pauses with a LangGraph interrupt carrying the question and resumes with the person's
decision (see mcp_firewall_adapters.langchain.approval); else it is denied with the reason.

One firewall session per conversation: per LangGraph thread (`configurable.thread_id`), else per
invocation (keyed by the id of its first message). Sync agents (`invoke`) and async ones
(`ainvoke`) both decide on the runtime's own thread (see mcp_firewall_adapters.runtime).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.messages import BaseMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from firewall.approve.approvers import Approver, Deferred
from firewall.guard.session import CallCheck, ResultCheck
from mcp_firewall_adapters.approval import ApproverLike, as_approver
from mcp_firewall_adapters.langchain.approval import approver_for, ask_in_graph, asked
from mcp_firewall_adapters.langchain.tools import (
    DEFAULT_SERVER,
    META,
    annotations_for,
    message_result,
    shown_message,
    tool_definition,
)
from mcp_firewall_adapters.runtime import FirewallRuntime, FirewallSource, runtime_of
from mcp_firewall_adapters.session import Role, RuntimeSession, fingerprint


@dataclass
class _Turn:
    """What a model call adds: new trusted messages, and the tools it shows, by server."""

    messages: list[tuple[str, Role, str]]
    tools: dict[str, list[tuple[BaseTool, dict[str, Any]]]]


@dataclass
class _Call:
    server: str
    tool: str
    arguments: dict[str, Any]
    call_id: str | None
    listing: list[dict[str, Any]]
    """The server's tools, to register if no model call registered them yet."""

    @property
    def key(self) -> str:
        """What a pending question is kept under across a pause: the tool call, else the call."""
        return self.call_id or fingerprint([self.server, self.tool, self.arguments])


class FirewallMiddleware(AgentMiddleware):
    """The firewall as LangChain agent middleware.

    firewall: a `FirewallRuntime` (share one between agents), a FirewallConfig, a TOML path, or
        None (the defaults and MCP_FIREWALL_* variables).
    server: the server name of in-process tools (its [provenance.servers.NAME] labels apply).
    servers: tool name -> server, for tools from other MCP loaders.
    annotations: tool name -> MCP annotations, for tools with none (see `describe_tool`).
    read_only: names of in-process tools that only read (readOnlyHint).
    record: keep each session's trace (`session.trace`, `write_trace`) for `mcp-firewall replay`.
    approver: who answers the calls the policy asks about (an Approver, or a callable taking the
        Question and returning True/False, "once"/"session"/"deny" or an Answer, sync or async).
        Without one, an agent with a checkpointer pauses with a LangGraph interrupt for the person
        (mcp_firewall_adapters.langchain.approval); else the firewall's own approver, or a denial.
    """

    def __init__(
        self,
        firewall: FirewallRuntime | FirewallSource = None,
        *,
        server: str = DEFAULT_SERVER,
        servers: Mapping[str, str] | None = None,
        annotations: Mapping[str, Mapping[str, Any]] | None = None,
        read_only: Sequence[str] = (),
        principal: str = "local",
        record: bool = False,
        approver: ApproverLike | None = None,
        max_sessions: int = 1024,
    ) -> None:
        super().__init__()
        self.runtime = runtime_of(firewall)
        self.approver = as_approver(approver)
        self.server = server
        self.servers = dict(servers or {})
        self.annotations = {name: dict(a) for name, a in (annotations or {}).items()}
        for name in read_only:
            self.annotations[name] = annotations_for(self.annotations.get(name), read_only=True) or {}
        self.principal = principal
        self.record = record
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[Hashable, RuntimeSession] = OrderedDict()
        self._lock = threading.Lock()
        self._definitions: dict[int, tuple[BaseTool, tuple[str, str], dict[str, Any]]] = {}

    # -- sessions ------------------------------------------------------------------------------

    @property
    def sessions(self) -> list[RuntimeSession]:
        """Live sessions, oldest first."""
        with self._lock:
            return list(self._sessions.values())

    @property
    def last_session(self) -> RuntimeSession | None:
        """The session used most recently, or None before the first model or tool call."""
        with self._lock:
            return next(reversed(self._sessions.values()), None)

    def session_for(self, state: Any, runtime: Any) -> RuntimeSession:
        """The firewall session of this conversation (see `conversation_key`), opened on first use;
        beyond `max_sessions` the least recently used one is dropped."""
        key = conversation_key(state, runtime)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self.runtime.session(
                    principal=self.principal, record=self.record, approver=self.approver
                )
                self._sessions[key] = session
                while len(self._sessions) > self.max_sessions:
                    self._sessions.popitem(last=False)
            else:
                self._sessions.move_to_end(key)
            return session

    # -- model calls: messages and tool lists --------------------------------------------------

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> ModelResponse:
        """The `wrap_model_call` hook: add the new user messages and the system prompt (trusted),
        decide each server's tool list when it changed, then call the model with the tools as decided
        (redacted descriptions, denied lists left out)."""
        session = self.session_for(request.state, request.runtime)
        turn = self._turn(session, request)
        if turn.messages or turn.tools:
            _remember_shown(session, turn, self.runtime.run(_decide_turn, session, turn))
        return handler(_shown(session, request))

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[ModelResponse]]
    ) -> ModelResponse:
        """The `awrap_model_call` hook (async agents): as `wrap_model_call`."""
        session = self.session_for(request.state, request.runtime)
        turn = self._turn(session, request)
        if turn.messages or turn.tools:
            _remember_shown(session, turn, await self.runtime.arun(_decide_turn, session, turn))
        return await handler(_shown(session, request))

    def _turn(self, session: RuntimeSession, request: ModelRequest) -> _Turn:
        messages: list[tuple[str, Role, str]] = []
        if request.system_message is not None:
            messages.append(_message(request.system_message, "system"))
        for message in request.messages:
            if message.type == "human" and not (message.id and session.has_message(f"user:{message.id}")):
                messages.append(_message(message, "user"))
        messages = [m for m in messages if not session.has_message(m[0])]
        shown_before = tuple(id(t) for t in request.tools)
        if session.memo.get("tools") == shown_before:
            return _Turn(messages, {})
        tools: dict[str, list[tuple[BaseTool, dict[str, Any]]]] = {}
        for tool in request.tools:
            if isinstance(tool, BaseTool):
                tools.setdefault(self.server_of(tool), []).append((tool, self.definition(tool)))
        changed = {
            server: listed
            for server, listed in tools.items()
            if not session.listed(server, [definition for _, definition in listed])
        }
        if not changed:
            session.memo["tools"] = shown_before
        return _Turn(messages, changed)

    # -- tool calls ----------------------------------------------------------------------------

    def wrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]]
    ) -> ToolMessage | Command[Any]:
        """The `wrap_tool_call` hook: decide the call before it runs (denied: the tool does not run
        and the model gets an error ToolMessage with the reason; redacted: it runs with the
        redacted arguments), then decide each ToolMessage it returns before the model reads it. A
        call the policy asks about is put to the approver, or the graph pauses for the person."""
        session = self.session_for(request.state, request.runtime)
        call = self._call(session, request)
        check = asked(session).get(call.key)
        if check is None:
            check = self.runtime.run(_decide_call, session, call, approver_for(session))
        if check.pending:
            check = session.answer(
                check, ask_in_graph(session, call.key, check, request.tool_call["name"], call.call_id)
            )
        if not check.allowed:
            return _denied(request, check.message)
        out = handler(_with_arguments(request, call, check))
        return _replace(
            out,
            {id(m): self.runtime.run(session.decide_result, check, message_result(m)) for m in _results(out)},
        )

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        """The `awrap_tool_call` hook (async agents): as `wrap_tool_call`."""
        session = self.session_for(request.state, request.runtime)
        call = self._call(session, request)
        check = asked(session).get(call.key)
        if check is None:
            check = await self.runtime.arun(_decide_call, session, call, approver_for(session))
        if check.pending:
            check = await session.aanswer(
                check, ask_in_graph(session, call.key, check, request.tool_call["name"], call.call_id)
            )
        if not check.allowed:
            return _denied(request, check.message)
        out = await handler(_with_arguments(request, call, check))
        shown = {
            id(m): await self.runtime.arun(session.decide_result, check, message_result(m))
            for m in _results(out)
        }
        return _replace(out, shown)

    def _call(self, session: RuntimeSession, request: ToolCallRequest) -> _Call:
        tool_call = request.tool_call
        tool = request.tool
        arguments = dict(tool_call.get("args") or {})
        call_id = tool_call.get("id")
        if tool is None:  # not a tool of this agent: unknown to the firewall, hence denied
            return _Call(
                self.servers.get(tool_call["name"], self.server), tool_call["name"], arguments, call_id, []
            )
        server = self.server_of(tool)
        name = self.definition(tool)["name"]
        listing: list[dict[str, Any]] = []
        if not session.registered(server, name):  # no model call showed it yet: list its server now
            everything = getattr(request.runtime, "tools", None) or [tool]
            listing = [
                self.definition(t)
                for t in everything
                if isinstance(t, BaseTool) and self.server_of(t) == server
            ]
        return _Call(server, name, arguments, call_id, listing)

    # -- naming --------------------------------------------------------------------------------

    def server_of(self, tool: BaseTool) -> str:
        """The firewall's server name for a tool: the one in its `mcp_firewall` metadata (`mcp_tools`,
        `describe_tool`), else its entry in `servers`, else `server`."""
        entry = (tool.metadata or {}).get(META)
        if isinstance(entry, dict) and isinstance(entry.get("server"), str):
            return str(entry["server"])
        return self.servers.get(tool.name, self.server)

    def definition(self, tool: BaseTool) -> dict[str, Any]:
        """The tool's MCP definition (remembered per tool object while its name and description
        stay the same); treat it as read-only."""
        cached = self._definitions.get(id(tool))
        if cached is not None and cached[0] is tool and cached[1] == (tool.name, tool.description):
            return cached[2]
        definition = tool_definition(tool)
        extra = self.annotations.get(tool.name)
        if extra:
            definition["annotations"] = {**(definition.get("annotations") or {}), **extra}
        self._definitions[id(tool)] = (tool, (tool.name, tool.description), definition)
        return definition


def _remember_shown(session: RuntimeSession, turn: _Turn, shown: dict[str, list[dict[str, Any]]]) -> None:
    """Remember, per tool object, how the firewall lets the model see the lists it just decided:
    as it is, with a redacted description (a copy), or not at all (None)."""
    replaced: dict[int, tuple[BaseTool, BaseTool | None]] = session.memo.setdefault("replaced", {})
    for server, listed in turn.tools.items():
        by_name = {t.get("name"): t for t in shown.get(server, [])}
        for tool, definition in listed:
            replaced.pop(id(tool), None)
            seen = by_name.get(definition["name"])
            if seen is None:
                replaced[id(tool)] = (tool, None)
            elif seen.get("description") != definition.get("description"):
                copy = tool.model_copy()
                copy.description = str(seen.get("description") or "")
                replaced[id(tool)] = (tool, copy)


def _shown(session: RuntimeSession, request: ModelRequest) -> ModelRequest:
    """The request with each tool as the firewall lets the model see it, on every model call."""
    replaced: dict[int, tuple[BaseTool, BaseTool | None]] = session.memo.get("replaced") or {}
    if not replaced:
        return request
    tools: list[BaseTool | dict[str, Any]] = []
    for tool in request.tools:
        entry = replaced.get(id(tool))
        if entry is None or entry[0] is not tool:
            tools.append(tool)
        elif entry[1] is not None:
            tools.append(entry[1])
    return request.override(tools=tools)


# -- on the runtime's thread -------------------------------------------------------------------


async def _decide_turn(session: RuntimeSession, turn: _Turn) -> dict[str, list[dict[str, Any]]]:
    for key, role, text in turn.messages:
        session.note_message(role, text, key)
    for server, listed in turn.tools.items():  # pin every server's tools before deciding any
        session.firewall_session.note_tools(server, [definition for _, definition in listed])
    return {
        server: await session.register_tools(server, [definition for _, definition in listed])
        for server, listed in turn.tools.items()
    }


async def _decide_call(
    session: RuntimeSession, call: _Call, approver: Approver | Deferred | None
) -> CallCheck:
    if call.listing and not session.registered(call.server, call.tool):
        await session.register_tools(call.server, call.listing)
    return await session.decide_call(call.server, call.tool, call.arguments, call.call_id, approver)


# -- messages ----------------------------------------------------------------------------------


def conversation_key(state: Any, runtime: Any) -> Hashable:
    """The LangGraph thread, else the invocation (its first message's id)."""
    info = getattr(runtime, "execution_info", None)
    thread = getattr(info, "thread_id", None)
    if thread is None:
        config = getattr(runtime, "config", None) or {}
        thread = (config.get("configurable") or {}).get("thread_id")
    if thread is not None:
        return ("thread", str(thread))
    messages = state.get("messages") if isinstance(state, Mapping) else getattr(state, "messages", None)
    if messages:
        first = messages[0]
        return ("run", getattr(first, "id", None) or id(first))
    return ("default",)


def _message(message: BaseMessage, role: Role) -> tuple[str, Role, str]:
    text = message.text
    return f"{role}:{message.id or fingerprint(text)}", role, text


def _denied(request: ToolCallRequest, reason: str) -> ToolMessage:
    return ToolMessage(
        content=reason,
        tool_call_id=request.tool_call.get("id") or "",
        name=request.tool_call["name"],
        status="error",
    )


def _with_arguments(request: ToolCallRequest, call: _Call, check: CallCheck) -> ToolCallRequest:
    """The request with the arguments the firewall allowed (a redacted copy, if it redacted)."""
    if check.arguments == call.arguments:
        return request
    return request.override(tool_call={**request.tool_call, "args": check.arguments or {}})


def _results(out: ToolMessage | Command[Any]) -> list[ToolMessage]:
    """The tool messages the model will read: the result, or those a Command adds."""
    if isinstance(out, ToolMessage):
        return [out]
    update = getattr(out, "update", None)
    messages = update.get("messages") if isinstance(update, Mapping) else None
    return [m for m in messages or [] if isinstance(m, ToolMessage)]


def _replace(out: ToolMessage | Command[Any], shown: Mapping[int, ResultCheck]) -> ToolMessage | Command[Any]:
    def one(message: ToolMessage) -> ToolMessage:
        check = shown.get(id(message))
        if check is None or (check.allowed and not check.redacted):
            return message
        return shown_message(message, check.result, denied=not check.allowed)

    if isinstance(out, ToolMessage):
        return one(out)
    if not shown:
        return out
    update = dict(out.update)  # type: ignore[arg-type]
    update["messages"] = [one(m) if isinstance(m, ToolMessage) else m for m in update["messages"]]
    return Command(graph=out.graph, update=update, resume=out.resume, goto=out.goto)

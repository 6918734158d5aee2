"""`AgentsFirewall`: mcp-firewall as OpenAI Agents SDK tool guardrails, MCP tool filter and run
hooks, all backed by one firewall (`FirewallRuntime`).

    fw = AgentsFirewall("firewall.toml")
    inbox = fw.protect(MCPServerStdio(params=..., name="inbox"))       # guardrails + tool filter
    agent = Agent(name="assistant", mcp_servers=[inbox], tools=fw.protect_tools([lookup], read_only=["lookup"]))
    result = await Runner.run(agent, "Summarise my inbox", hooks=fw.hooks)

- Tool input guardrail: decides the call before it runs. Denied: the tool does not run and the
  model gets the reason (`reject_content`). Arguments the firewall would redact cannot be
  rewritten by a guardrail, so such a call is rejected too.
- Tool output guardrail: decides the output before the model sees it. Redacted: the model gets the
  redacted text instead (`reject_content` with it); denied: the reason.
- Tool filter (MCP servers): each listed tool is decided as part of its server's tool list, once
  per definition. A tool is hidden when the firewall would redact or deny its listing (an injected
  description, a definition that changed mid-session, a description naming another server's
  tool), since a filter cannot show a redacted copy, and when a `[[rules]]` deny rule matches every
  call of it. The filter is also where a session learns an MCP server's tools: without it every
  call is to an unknown tool, and is denied.
- Run hooks (`hooks=fw.hooks`): the system prompt and the user's messages enter the session's
  provenance graph as trusted, before each model call.
- Approval: each protected tool gets a `needs_approval` policy that decides the call ahead, as the
  SDK plans it. A call the policy asks about goes to `approver=` when given; else it becomes one of
  the run's approval interruptions (`result.interruptions`), its question in
  `fw.question(item)`; `fw.approve(state, item)` / `fw.reject(state, item)` answer it (recorded in
  the call's audit record, via "adapter") and `Runner.run(agent, state)` resumes: approved, the
  call runs unchanged; rejected, the model gets the denial. The resumed run keeps the firewall
  session of the run it resumes.

One firewall session per run by default (the run's context wrapper). A conversation spread over
several runs keeps one session when `session_key` maps its runs to one key, e.g.
`session_key=lambda ctx: ctx.context.conversation_id`.
"""

from __future__ import annotations

import inspect
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from agents import RunContextWrapper, RunHooks
from agents.mcp import MCPServer, ToolFilterContext
from agents.tool_guardrails import (
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    ToolOutputGuardrail,
    ToolOutputGuardrailData,
)

from firewall.approve.approvers import DEFER, Approver, Deferred
from firewall.approve.question import Answer, Question
from firewall.core.events import Verdict
from firewall.guard.session import CallCheck
from mcp_firewall_adapters.approval import ApproverLike, answer_from_decision, as_approver
from mcp_firewall_adapters.openai_agents.convert import (
    function_tool_definition,
    mcp_tool_definition,
    output_result,
    user_texts,
)
from mcp_firewall_adapters.runtime import FirewallRuntime, FirewallSource, runtime_of
from mcp_firewall_adapters.session import Role, RuntimeSession, fingerprint

DEFAULT_SERVER = "local"
REDACTED_ARGUMENTS = (
    "mcp-firewall blocked this: the firewall would redact this call's arguments ({rules}), and a "
    "guardrail cannot run a tool with other arguments than the model gave"
)


class AgentsFirewall:
    """Guardrails, tool filters and hooks for the Agents SDK, deciding through one firewall.

    firewall: a `FirewallRuntime`, a FirewallConfig, a TOML path, or None (the defaults).
    record: keep each session's trace for `mcp-firewall replay` (`session.trace`).
    session_key: run context wrapper -> key of its firewall session (default: one per run).
    approver: who answers the calls the policy asks about (an Approver, or a callable taking the
        Question and returning True/False, "once"/"session"/"deny" or an Answer, sync or async).
        Without one, such a call becomes an SDK approval interruption (see `approve`).
    """

    def __init__(
        self,
        firewall: FirewallRuntime | FirewallSource = None,
        *,
        principal: str = "local",
        record: bool = False,
        session_key: Callable[[RunContextWrapper[Any]], Hashable] | None = None,
        approver: ApproverLike | None = None,
        max_sessions: int = 1024,
    ) -> None:
        self.runtime = runtime_of(firewall)
        self.approver = as_approver(approver)
        self.principal = principal
        self.record = record
        self.session_key = session_key
        self.max_sessions = max_sessions
        self.hooks = FirewallRunHooks(self)
        self.local: dict[str, dict[str, dict[str, Any]]] = {}
        """server -> tool name -> definition, of the function tools given to protect_tools."""
        self._sessions: OrderedDict[Hashable, RuntimeSession] = OrderedDict()
        self._lock = threading.Lock()
        self._decided: OrderedDict[str, tuple[RuntimeSession, CallCheck]] = OrderedDict()
        """Calls decided ahead (needs_approval), by call id and arguments, until their guardrail
        runs: allowed, denied, or waiting on the person (pending)."""

    # -- sessions ------------------------------------------------------------------------------

    def session(self, context: RunContextWrapper[Any]) -> RuntimeSession:
        """The firewall session of the run this context belongs to."""
        key = self._key(context)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self.runtime.session(
                    principal=self.principal, record=self.record, approver=self.approver
                )
                self._bind(key, context, session)
            return session

    def _key(self, context: RunContextWrapper[Any]) -> Hashable:
        # by default the run: it has one Usage, shared by its hooks', filters' and tools' contexts
        return self.session_key(context) if self.session_key is not None else ("run", id(context.usage))

    def _bind(self, key: Hashable, context: RunContextWrapper[Any], session: RuntimeSession) -> None:
        self._sessions[key] = session
        if self.session_key is None:
            weakref.finalize(context.usage, self._forget, key)
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)

    def _adopt(self, context: RunContextWrapper[Any], session: RuntimeSession) -> None:
        """A resumed run (RunState copies its context, Usage included) keeps the session of the run
        it resumes: the one that decided its pending calls."""
        key = self._key(context)
        with self._lock:
            if self._sessions.get(key) is not session:
                self._bind(key, context, session)

    def _forget(self, key: Hashable) -> None:
        with self._lock:
            self._sessions.pop(key, None)

    @property
    def last_session(self) -> RuntimeSession | None:
        """The session opened most recently, or None before the first run reached the firewall."""
        with self._lock:
            return next(reversed(self._sessions.values()), None)

    # -- wiring --------------------------------------------------------------------------------

    def protect(self, server: MCPServer, *, name: str | None = None) -> MCPServer:
        """Add the firewall's guardrails and tool filter to an MCP server object (MCPServerStdio,
        MCPServerStreamableHttp, ...); `name`: the firewall's name for it (default its own)."""
        where = name or server.name
        server.tool_input_guardrails = [*(server.tool_input_guardrails or []), self.input_guardrail(where)]
        server.tool_output_guardrails = [*(server.tool_output_guardrails or []), self.output_guardrail(where)]
        server.tool_filter = _both(server.tool_filter, self.tool_filter(where))  # type: ignore[attr-defined]
        # The SDK asks the server for each MCP tool's needs_approval policy as it converts the
        # tool; a server's own `require_approval` callable never sees the call's arguments, so
        # the firewall's policy is put in that place, the server's own still honoured.
        own = server._get_needs_approval_for_tool

        def needs_approval_for_tool(tool: Any, agent: Any = None) -> Any:
            return self.needs_approval(where, tool.name, own(tool, agent))

        server._get_needs_approval_for_tool = needs_approval_for_tool  # type: ignore[method-assign]
        return server

    def protect_tools(
        self,
        tools: Sequence[Any],
        *,
        server: str = DEFAULT_SERVER,
        annotations: Mapping[str, Mapping[str, Any]] | None = None,
        read_only: Sequence[str] = (),
    ) -> list[Any]:
        """Add the guardrails to function tools (in place; returns them). The firewall knows them as
        tools of `server`, with no MCP annotations unless given: `read_only` names the tools that
        only read, `annotations` maps tool names to MCP annotations."""
        declared = self.local.setdefault(server, {})
        for tool in tools:
            hints = dict((annotations or {}).get(tool.name) or {})
            if tool.name in read_only:
                hints = {"readOnlyHint": True, "destructiveHint": False, **hints}
            declared[tool.name] = function_tool_definition(tool, hints)
            tool.tool_input_guardrails = [*(tool.tool_input_guardrails or []), self.input_guardrail(server)]
            tool.tool_output_guardrails = [
                *(tool.tool_output_guardrails or []),
                self.output_guardrail(server),
            ]
            tool.needs_approval = self.needs_approval(server, tool.name, tool.needs_approval)
        return list(tools)

    def needs_approval(self, server: str, tool: str, own: Any = False) -> Callable[..., Any]:
        """A `needs_approval` policy for one of `server`'s tools (`protect` and `protect_tools` set
        it for you): the firewall decides the call ahead, as the SDK plans it, and the call needs
        the person's approval when the policy asks about it (with no `approver=`) or when `own`
        (the tool's own policy: a bool or the SDK's callable) says so. The guardrail then uses
        that decision rather than deciding again."""

        async def mcp_firewall_needs_approval(
            context: RunContextWrapper[Any], arguments: dict[str, Any], call_id: str
        ) -> bool:
            theirs = own(context, arguments, call_id) if callable(own) else own
            if inspect.isawaitable(theirs):
                theirs = await theirs
            session = self.session(context)
            approver = session.approver or DEFER
            check = await self.runtime.arun(
                _decide_call, session, server, tool, arguments, call_id, self.local.get(server), approver
            )
            self._keep(_call_key(call_id, arguments), session, check)
            return check.pending or bool(theirs)

        return mcp_firewall_needs_approval

    # -- approval interruptions ----------------------------------------------------------------

    def question(self, item: Any) -> Question | None:
        """The firewall's question about an approval interruption (`result.interruptions`), or
        None when the firewall did not ask about it (the tool's own policy did)."""
        entry = self._decided.get(_item_key(item))
        return entry[1].question if entry is not None else None

    def approve(self, state: Any, item: Any, *, for_session: bool = False, by: str = "user") -> None:
        """Approve an interruption (`state`: `result.to_state()`), once or for this session (same
        tool, same argument shape), and record who did; then resume with `Runner.run(agent, state)`."""
        self._answer(
            item,
            answer_from_decision({"type": "approve", "scope": "session" if for_session else "once"}, by=by),
        )
        state.approve(item)

    def reject(self, state: Any, item: Any, *, by: str = "user", message: str | None = None) -> None:
        """Reject an interruption, recording who did; the model gets the firewall's denial (with
        `message`, the person's reason) when the run resumes."""
        check = self._answer(item, answer_from_decision({"type": "reject", "message": message}, by=by))
        self._decided.pop(_item_key(item), None)  # the tool will not run: no guardrail takes it
        state.reject(item, rejection_message=check.message if check is not None else message)

    def _answer(self, item: Any, answer: Answer) -> CallCheck | None:
        key = _item_key(item)
        entry = self._decided.get(key)
        if entry is None:
            return None
        session, check = entry
        if check.pending:
            check = session.answer(check, answer)
            self._keep(key, session, check)
        return check

    def _keep(self, key: str, session: RuntimeSession, check: CallCheck) -> None:
        with self._lock:
            self._decided[key] = (session, check)
            while len(self._decided) > 4 * self.max_sessions:
                self._decided.popitem(last=False)

    def _take(self, key: str) -> tuple[RuntimeSession, CallCheck] | None:
        with self._lock:
            return self._decided.pop(key, None)

    def input_guardrail(self, server: str) -> ToolInputGuardrail[Any]:
        """A tool input guardrail deciding each call of `server`'s tools before it runs (see the
        module doc); `protect` and `protect_tools` add it for you."""

        async def mcp_firewall_call(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
            return await self._check_call(server, data)

        return ToolInputGuardrail(guardrail_function=mcp_firewall_call, name=f"mcp-firewall:{server}")

    def output_guardrail(self, server: str) -> ToolOutputGuardrail[Any]:
        """A tool output guardrail deciding each output of `server`'s tools before the model sees
        it; it needs the input guardrail's decision, so an output without one is rejected."""

        async def mcp_firewall_result(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
            return await self._check_result(data)

        return ToolOutputGuardrail(guardrail_function=mcp_firewall_result, name=f"mcp-firewall:{server}")

    def tool_filter(self, server: str) -> Callable[[ToolFilterContext, Any], Any]:
        """An MCP `tool_filter`: True for the tools the agent may see (see the module doc)."""

        async def mcp_firewall_filter(context: ToolFilterContext, tool: Any) -> bool:
            if self.runtime.never_allowed(server, tool.name):
                return False
            session = self.session(context.run_context)
            definition = mcp_tool_definition(tool)
            known = session.tool_shown(server, definition)
            if known is not None:
                return known
            return await self.runtime.arun(session.list_tool, server, definition)

        return mcp_firewall_filter

    # -- decisions -----------------------------------------------------------------------------

    async def _check_call(self, server: str, data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        context = data.context
        session = self.session(context)
        try:
            arguments = json.loads(context.tool_arguments or "{}")
        except ValueError:
            arguments = None
        if not isinstance(arguments, dict):
            return ToolGuardrailFunctionOutput.reject_content(
                "mcp-firewall blocked this: the call's arguments are not a JSON object"
            )
        ahead = self._take(_call_key(context.tool_call_id, arguments))
        if ahead is not None:  # decided by needs_approval
            session, check = ahead
            self._adopt(context, session)
            if check.pending:  # the SDK approved it (state.approve): only thus may a pending call run
                check = await session.aanswer(check, Answer("once", "user", "adapter"))
        else:
            tool = _name_on_server(session, server, context.tool_name)
            declared = self.local.get(server)
            check = await self.runtime.arun(
                _decide_call, session, server, tool, arguments, context.tool_call_id, declared, None
            )
        if not check.allowed:
            return ToolGuardrailFunctionOutput.reject_content(check.message, output_info=_info(check.verdict))
        if check.arguments != arguments:
            reason = REDACTED_ARGUMENTS.format(rules=", ".join(check.verdict.rule_ids))
            return ToolGuardrailFunctionOutput.reject_content(reason, output_info=_info(check.verdict))
        session.pending[context.tool_call_id] = check
        return ToolGuardrailFunctionOutput.allow(output_info=_info(check.verdict))

    async def _check_result(self, data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
        context = data.context
        session = self.session(context)
        check = session.pending.pop(context.tool_call_id, None)
        if check is None:  # our input guardrail did not allow this call: nothing to show for it
            return ToolGuardrailFunctionOutput.reject_content(
                "mcp-firewall blocked this: no call decision for this output"
            )
        shown = await self.runtime.arun(session.decide_result, check, output_result(data.output))
        if shown.allowed and not shown.redacted:
            return ToolGuardrailFunctionOutput.allow(output_info=_info(shown.verdict))
        return ToolGuardrailFunctionOutput.reject_content(shown.text, output_info=_info(shown.verdict))


class FirewallRunHooks(RunHooks[Any]):
    """Run hooks adding the system prompt and the user's messages to the run's firewall session
    (trusted) before each model call. Subclass it (calling super) to add hooks of your own."""

    def __init__(self, firewall: AgentsFirewall) -> None:
        self.firewall = firewall

    async def on_llm_start(
        self, context: RunContextWrapper[Any], agent: Any, system_prompt: str | None, input_items: list[Any]
    ) -> None:
        """The `on_llm_start` run hook: add the system prompt and the user's messages in
        `input_items` to the run's session as trusted, each once."""
        session = self.firewall.session(context)
        messages: list[tuple[str, Role, str]] = []
        if system_prompt:
            messages.append((fingerprint(["system", system_prompt]), "system", system_prompt))
        messages += [(fingerprint(["user", text]), "user", text) for text in user_texts(input_items)]
        new = [m for m in messages if not session.has_message(m[0])]
        if new:
            await self.firewall.runtime.arun(_note_messages, session, new)


# -- on the runtime's thread -------------------------------------------------------------------


async def _decide_call(
    session: RuntimeSession,
    server: str,
    tool: str,
    arguments: dict[str, Any],
    call_id: str,
    declared: dict[str, dict[str, Any]] | None,
    approver: Approver | Deferred | None,
) -> CallCheck:
    if declared:
        session.declared[server] = declared
        await session.ensure_declared(server, tool)
    return await session.decide_call(server, tool, arguments, call_id, approver)


async def _note_messages(session: RuntimeSession, messages: list[tuple[str, Role, str]]) -> None:
    for key, role, text in messages:
        session.note_message(role, text, key)


# -- helpers -----------------------------------------------------------------------------------


def _name_on_server(session: RuntimeSession, server: str, name: str) -> str:
    """The server's own name for a tool the SDK may have renamed (include_server_in_tool_names)."""
    catalog = session.firewall_session.state.catalog.of(server) or {}
    if name in catalog:
        return name
    candidates = [own for own in catalog if name.endswith(own) and len(name) > len(own)]
    return max(candidates, key=len) if candidates else name


def _call_key(call_id: str, arguments: Any) -> str:
    """A call decided ahead, as its guardrail and its approval item name it (call ids of
    different runs may repeat; with the arguments they hardly do)."""
    return fingerprint([call_id, arguments])


def _item_key(item: Any) -> str:
    """`_call_key` of an approval interruption's function call."""
    raw = item.raw_item
    call_id = raw.get("call_id") if isinstance(raw, Mapping) else getattr(raw, "call_id", None)
    text = raw.get("arguments") if isinstance(raw, Mapping) else getattr(raw, "arguments", None)
    try:
        arguments = json.loads(text or "{}")
    except ValueError:
        arguments = None
    return _call_key(str(call_id), arguments)


def _info(verdict: Verdict) -> dict[str, Any]:
    return {"decision": verdict.decision.name.lower(), "rule_ids": list(verdict.rule_ids)}


def _both(existing: Any, ours: Callable[[ToolFilterContext, Any], Any]) -> Any:
    """Our filter after the server's own (a static allow/block dict or a function)."""
    if existing is None:
        return ours

    async def both(context: ToolFilterContext, tool: Any) -> bool:
        if isinstance(existing, Mapping):
            allowed = existing.get("allowed_tool_names")
            if allowed is not None and tool.name not in allowed:
                return False
            if tool.name in (existing.get("blocked_tool_names") or ()):
                return False
        else:
            verdict = existing(context, tool)
            if inspect.isawaitable(verdict):
                verdict = await verdict
            if not verdict:
                return False
        return bool(await ours(context, tool))

    return both

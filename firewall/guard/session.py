"""FirewallSession: the one decision API. One agent session's messages, tool lists, calls, results
and other content, each traced, decided by the pipeline, logged and remembered.

The relay (and gateway), `replay` and the framework adapters all decide through it, so one policy
and one provenance graph behave the same everywhere. A session owns its SessionState; the
Firewall it was opened from (pipeline, audit log, labeler, bounds) is shared by every session.

    session = build_firewall(load_config(path)).open_session()
    session.add_message("user", "Summarise my inbox")
    tools = await session.check_tools("mail", [{"name": "send_email", "description": ..., "inputSchema": ...}])
    call = await session.check_call("mail", "send_email", {"to": ..., "body": ...})
    if call.allowed:
        shown = await session.check_result(call, as_result(run_the_tool(**call.arguments)))  # shown.result: redacted or a denial
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from firewall.approve.approvers import Approver, Deferred, unavailable
from firewall.approve.grants import Grant, grant_key
from firewall.approve.question import Answer, Question, approved_verdict, denied_verdict, question_for
from firewall.core import payloads
from firewall.core.events import (
    Channel,
    ContentEvent,
    Decision,
    Event,
    Finding,
    SessionInfo,
    ToolCall,
    ToolList,
    ToolResult,
    Verdict,
)
from firewall.core.labels import BOTTOM
from firewall.core.records import OutputProvenance
from firewall.guard.state import SessionState
from firewall.guard.trace import flag, trace

if TYPE_CHECKING:
    from firewall.guard.firewall import Firewall


@dataclass(frozen=True)
class CallCheck:
    """A decided call: the traced call, its verdict, and what to run the tool with."""

    call: ToolCall
    verdict: Verdict
    arguments: dict[str, Any] | None
    """What to run the tool with (possibly redacted); None when the call is denied (or pending)."""
    question: Question | None = None
    """The question put to a person, when the pipeline asked (answered or still pending)."""
    answer: Answer | None = None
    """Their answer (or a grant's, or the refusal when nobody could be asked); None while pending."""

    @property
    def pending(self) -> bool:
        """An ASK whose answer comes later (Deferred: a 2026-07-28 input_required round trip)."""
        return self.question is not None and self.answer is None

    @property
    def allowed(self) -> bool:
        """Whether the tool may run (with `arguments`)."""
        return self.arguments is not None

    @property
    def message(self) -> str:
        """For a denied call: the sentence the agent gets instead of a result."""
        return payloads.explain(self.verdict)


@dataclass(frozen=True)
class ResultCheck:
    """A decided output: its verdict, and what the agent may see of it."""

    verdict: Verdict
    result: dict[str, Any]
    """What the agent may see: the result, a redacted copy, or a denial (an MCP tool error result)."""

    @property
    def allowed(self) -> bool:
        """Whether the output was not denied."""
        return self.verdict.decision is not Decision.DENY

    @property
    def redacted(self) -> bool:
        """Whether what the agent sees is a redacted copy."""
        return self.verdict.decision is Decision.REDACT

    @property
    def text(self) -> str:
        """The text blocks of what the agent sees, joined by newlines."""
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


class FirewallSession:
    """One agent session, deciding through its Firewall; owns the session's SessionState.

    Not thread-safe: one agent loop (or one relay) drives it, async, on one event loop.
    """

    def __init__(self, firewall: Firewall, state: SessionState) -> None:
        self.firewall = firewall
        self.state = state
        self._ids = itertools.count(1)

    @property
    def info(self) -> SessionInfo:
        """The session's identity: id and principal."""
        return self.state.info

    async def decide(self, event: Event, method: str) -> tuple[Event, Verdict]:
        """Trace the event, decide the traced copy, log the decision and remember it; returns the
        traced event and its verdict. Raises AuditWriteError when the decision's record cannot be
        written: the caller refuses the request, and the session does not count it. An ASK on
        anything but a tool call (check_call) is a DENY: only calls are put to a person."""
        traced = trace(self.state, event, self.firewall.labeler)
        verdict = await self.firewall.pipeline.decide(traced, self.state.view())
        if verdict.decision is Decision.ASK:
            note = Finding(
                "firewall.ask_unsupported",
                f"approval is asked only for tool calls; a {event.kind} that needs it is denied",
                stage="approval",
            )
            verdict = Verdict(Decision.DENY, (*verdict.findings, note))
        self._settle(traced, verdict, method)
        return traced, verdict

    def _settle(
        self, traced: Event, verdict: Verdict, method: str, approval: dict[str, Any] | None = None
    ) -> None:
        flag(self.state, traced, verdict)
        # Logged before it is remembered: a decision whose record cannot be written must not count.
        self.firewall.audit.decision(traced, verdict, method=method, approval=approval)
        self.state.memory.remember(traced, verdict)

    def record(self, event: Event, verdict: Verdict, *, method: str) -> None:
        """Log a decision taken outside the pipeline (a refusal: a call the router could not route,
        a message that is not valid); it is not traced nor counted."""
        self.firewall.audit.decision(event, verdict, method=method)

    def add_message(self, role: Literal["user", "system"], text: str) -> OutputProvenance:
        """A user message or the system prompt: trusted content in the session's graph, so values the
        agent could have learned from it are not tainted by untrusted outputs that repeat them. MCP
        never carries these; in-process callers (replay, adapters) add them."""
        return self.state.graph.add_output(role, "", role, [text], BOTTOM)

    async def check_tools(self, server: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Decide a server's tool list (descriptions are content the model reads; definitions are
        pinned; the list becomes the server's catalog). Returns the list as the agent may see it:
        redacted descriptions, or [] if denied."""
        self.note_tools(server, tools)
        self.state.catalog.replace(server, tools)
        shown = (await self.check_list_page(server, {"tools": tools})).result
        return list(shown["tools"]) if "tools" in shown else []

    def note_tools(self, server: str, tools: list[Any]) -> None:
        """Pin a server's tools before its list is decided (a gateway learns every server's tools
        first, so a description naming another server's tool is caught whatever the order)."""
        self.state.pins.pin_all(server, tools)

    async def check_list_page(self, server: str, page: dict[str, Any]) -> ResultCheck:
        """Decide one tools/list result page as it came from the server."""
        _, verdict = await self.decide(ToolList(self.info, server, page), "tools/list")
        return self._shown(verdict, page)

    async def check_call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        *,
        schema: dict[str, Any] | None = None,
        call_id: str | int | None = None,
        approver: Approver | Deferred | None = None,
    ) -> CallCheck:
        """Decide a call before it runs. `schema` defaults to the tool's entry in the session's
        catalog; a tool with neither is unknown, and denied (as through the relay).

        A call the pipeline decides ASK is allowed by an "approve for this session" grant that
        covers it, else put to `approver` (default: the firewall's out-of-band approver, if any):
        its answer makes the call ALLOW or DENY, and the call's audit record holds the question
        and the answer. With no approver the call is denied with a reason that says how to enable
        one. With DEFER the question is returned unanswered (`pending`), and logged as an ask."""
        if schema is None:
            schema = self.state.catalog.get(server, tool)
        request_id = call_id if call_id is not None else next(self._ids)
        event = ToolCall(self.info, server, tool, arguments, request_id, schema)
        traced = trace(self.state, event, self.firewall.labeler)
        assert isinstance(traced, ToolCall)
        verdict = await self.firewall.pipeline.decide(traced, self.state.view())
        if verdict.decision is not Decision.ASK:
            self._settle(traced, verdict, "tools/call")
            return CallCheck(traced, verdict, payloads.apply_verdict(verdict, arguments))
        key = grant_key(traced)
        question = question_for(traced, verdict, key, self.state.graph.describe)
        grant = self.state.grants.find(key)
        if grant is not None:
            answer = Answer("once", grant.answer.by, "grant", reason=f"question {grant.question_id}")
            verdict = approved_verdict(verdict, grant.answer, "firewall.approval_grant")
            approval = {"question": question.to_json(), "grant": grant.to_json()}
            self._settle(traced, verdict, "tools/call", approval)
            return CallCheck(traced, verdict, payloads.apply_verdict(verdict, arguments), question, answer)
        approver = approver if approver is not None else self.firewall.approver
        if isinstance(approver, Deferred):
            self.firewall.audit.decision(
                traced,
                verdict,
                method="tools/call",
                approval={"question": question.to_json(), "pending": True},
            )
            return CallCheck(traced, verdict, None, question)
        answer = unavailable() if approver is None else await approver.ask(question)
        return self.answered(traced, verdict, question, answer)

    def answered(self, call: ToolCall, verdict: Verdict, question: Question, answer: Answer) -> CallCheck:
        """Settle an ASK with its answer: ALLOW or DENY, the record written (question and answer),
        and an "approve for this session" answer remembered as a grant."""
        if answer.approved:
            final = approved_verdict(verdict, answer)
            if answer.choice == "session":
                self.state.grants.add(question.grant_key, Grant(question.id, call.tool, call.server, answer))
        else:
            final = denied_verdict(verdict, answer)
        self._settle(call, final, "tools/call", {"question": question.to_json(), **answer.to_json()})
        return CallCheck(call, final, payloads.apply_verdict(final, call.arguments), question, answer)

    async def check_result(
        self,
        call: CallCheck | ToolCall,
        result: dict[str, Any],
        *,
        modern: bool = False,
        method: str = "tools/call",
    ) -> ResultCheck:
        """Decide a tool's result (an MCP CallToolResult dict, exactly as the server sent it; see
        `as_result` for in-process tools) before the agent sees it. `call`: the decided call (its
        traced copy links the result to it). `modern`: a 2026-07-28 denial. `method`: what carried
        it (`tasks/result` for a task-augmented call's result)."""
        event = ToolResult(call.call if isinstance(call, CallCheck) else call, result)
        _, verdict = await self.decide(event, method)
        return self._shown(verdict, result, modern=modern)

    async def check_content(
        self, server: str, method: str, payload: dict[str, Any], subject: str = "", *, channel: str = ""
    ) -> ResultCheck:
        """Decide any other server-to-agent content: resources/read and prompts/get results,
        sampling and elicitation requests, the `initialize` result, lists, notifications, task
        statuses, completions, and (with channel="error" or "tool_error", payload
        {"error": {...}}) error replies. See docs/channels.md."""
        event = ContentEvent(self.info, server, method, payload, subject, channel=channel)
        _, verdict = await self.decide(event, method)
        return self._shown(verdict, payload)

    @staticmethod
    def apply(verdict: Verdict, payload: dict[str, Any]) -> dict[str, Any] | None:
        """What the verdict lets through of a payload: itself, a redacted copy, or None (denied)."""
        return payloads.apply_verdict(verdict, payload)

    @staticmethod
    def withhold(verdict: Verdict, payload: dict[str, Any], channel: Channel) -> dict[str, Any]:
        """A denial on a channel that drops what was flagged, not the message (payloads.withhold)."""
        return payloads.withhold(verdict, payload, channel)

    @staticmethod
    def _shown(verdict: Verdict, payload: dict[str, Any], *, modern: bool = False) -> ResultCheck:
        shown = payloads.apply_verdict(verdict, payload)
        return ResultCheck(
            verdict, shown if shown is not None else payloads.denied_tool_result(verdict, modern=modern)
        )

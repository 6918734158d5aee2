"""A firewall question as a LangGraph interrupt, in the human-in-the-loop middleware's conventions.

When a call the policy asks about has no `approver=`, and it runs inside a LangGraph graph with a
checkpointer (a `create_agent(..., checkpointer=InMemorySaver())` agent, or any graph's tool node),
the firewall pauses the graph with `langgraph.types.interrupt`. The interrupt's value has the shape
of HumanInTheLoopMiddleware's per-call `ToolApprovalRequest` (type "tool_approval", tool_call_id,
name, args, description = the question's text) plus the whole question (`question`:
Question.to_json()). The run resumes with `Command(resume=decision)`, a decision in the HITL shape
(`approval.DECISION_SCHEMA`: {"type": "approve"}, {"type": "approve", "scope": "session"},
{"type": "reject", "message": ...}). Approved, the call goes on unchanged; rejected, the model gets
the denial.

LangGraph runs the tool node again from its start on resume, so the pending decision is kept (by
tool call) in the session and settled with the answer then, rather than decided twice. Outside a
graph, or without a checkpointer (a pause could never resume), the call is denied with the reason.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_config
from langgraph.constants import CONFIG_KEY_CHECKPOINTER
from langgraph.types import interrupt

from firewall.approve.approvers import DEFER, Approver, Deferred
from firewall.approve.question import Answer
from firewall.guard.session import CallCheck
from mcp_firewall_adapters.approval import DECISION_SCHEMA, answer_from_decision
from mcp_firewall_adapters.session import RuntimeSession

ASKED = "asked"
"""The session memo's key for calls waiting on a person: key -> pending CallCheck."""


def can_interrupt() -> bool:
    """Whether the caller runs in a LangGraph graph that can pause and resume (a checkpointer)."""
    try:
        config = get_config()
    except RuntimeError:  # not inside a runnable
        return False
    return bool((config.get("configurable") or {}).get(CONFIG_KEY_CHECKPOINTER))


def approver_for(session: RuntimeSession) -> Approver | Deferred | None:
    """Who answers this session's questions here: its approver, else the graph's person (DEFER:
    the question comes back for `ask_in_graph`), else the firewall's own (None)."""
    if session.approver is not None:
        return session.approver
    return DEFER if can_interrupt() else None


def approval_request(check: CallCheck, name: str, tool_call_id: str | None) -> dict[str, Any]:
    """The interrupt's value: a HITL ToolApprovalRequest carrying the firewall's question."""
    assert check.question is not None
    question = check.question
    return {
        "type": "tool_approval",
        "tool_call_id": tool_call_id or "",
        "name": name,
        "args": question.arguments,  # as the person sees them: secrets masked
        "description": question.text,
        "question": question.to_json(),
    }


def asked(session: RuntimeSession) -> dict[str, CallCheck]:
    """The session's calls waiting on a person (kept across the graph's pause)."""
    waiting: dict[str, CallCheck] = session.memo.setdefault(ASKED, {})
    return waiting


def ask_in_graph(
    session: RuntimeSession, key: str, check: CallCheck, name: str, tool_call_id: str | None
) -> Answer:
    """Pause the graph with the question (the first time: raises GraphInterrupt), and return the
    answer the run resumed with (the second time)."""
    waiting = asked(session)
    waiting[key] = check
    decision = interrupt(approval_request(check, name, tool_call_id), response_schema=DECISION_SCHEMA)
    waiting.pop(key, None)
    return answer_from_decision(decision)

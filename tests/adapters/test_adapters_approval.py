"""Approval in the framework-free part of the adapters: `approver=` on the runtime and its sessions,
a deferred question settled later (`RuntimeSession.answer`), and the decisions a person resumes
a framework's run with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from adapters_support import ASK_MESSAGE, REPLY, asking_config, audited_calls
from mcp_firewall_adapters import FirewallRuntime
from mcp_firewall_adapters.approval import answer_from_decision, as_approver

from firewall.approve.approvers import DEFER, CallableApprover
from firewall.approve.question import Answer, Question

SEND = {"name": "send_email", "description": "Send an email.", "inputSchema": {"type": "object"}}


def test_the_runtimes_approver_answers_its_sessions_and_a_session_may_have_its_own(tmp_path: Path):
    asked: list[Question] = []

    def approve(question: Question) -> bool:
        asked.append(question)
        return True

    with FirewallRuntime(asking_config(tmp_path), approver=approve) as runtime:
        session = runtime.session()
        session.check_tools("inbox", [SEND])
        assert session.check_call("inbox", "send_email", REPLY).allowed
        assert len(asked) == 1 and ASK_MESSAGE in asked[0].text
        strict = runtime.session(approver=lambda question: "deny")
        strict.check_tools("inbox", [SEND])
        denied = strict.check_call("inbox", "send_email", REPLY)
        assert not denied.allowed and "denied it (via callable)" in denied.message
    assert [r["approval"]["answer"] for r in audited_calls(tmp_path)] == ["once", "deny"]


def test_without_an_approver_the_call_is_denied_with_how_to_enable_approval(tmp_path: Path):
    with FirewallRuntime(asking_config(tmp_path)) as runtime:
        session = runtime.session()
        session.check_tools("inbox", [SEND])
        check = session.check_call("inbox", "send_email", REPLY)
    assert not check.allowed and "approval was needed" in check.message
    assert "firewall.approval_unavailable" in audited_calls(tmp_path)[-1]["rule_ids"]


@pytest.mark.anyio
async def test_a_deferred_question_is_settled_later_and_recorded_once_answered(tmp_path: Path):
    with FirewallRuntime(asking_config(tmp_path)) as runtime:
        session = runtime.session(record=True)
        await session.acheck_tools("inbox", [SEND])
        pending = await session.acheck_call("inbox", "send_email", REPLY, approver=DEFER)
        assert pending.pending and not pending.allowed and pending.question is not None
        assert session.decisions == ["allow"]  # the call enters the trace once it is answered
        settled = await session.aanswer(pending, Answer("once", "alice", "adapter"))
        assert settled.allowed and settled.arguments == REPLY
        assert session.answer(settled, Answer("deny", "bob", "adapter")) is settled  # not pending
        assert session.decisions == ["allow", "allow"]
    pending_record, settled_record = audited_calls(tmp_path)
    assert pending_record["approval"]["pending"] is True
    assert (settled_record["approval"]["by"], settled_record["approval"]["via"]) == ("alice", "adapter")


@pytest.mark.parametrize(
    ("decision", "choice", "by"),
    [
        ({"type": "approve"}, "once", "user"),
        ({"type": "approve", "scope": "session", "by": "alice"}, "session", "alice"),
        ({"type": "reject", "message": "not now"}, "deny", "user"),
        ({"decisions": [{"type": "approve"}]}, "once", "user"),
        ("session", "session", "user"),
        (True, "once", "user"),
        (False, "deny", "user"),
    ],
)
def test_a_resume_decision_is_an_answer_via_the_adapter(decision: Any, choice: str, by: str):
    answer = answer_from_decision(decision)
    assert (answer.choice, answer.by, answer.via) == (choice, by, "adapter")


@pytest.mark.parametrize("decision", [{"type": "edit"}, {"type": "approve", "scope": "ever"}, "maybe", None])
def test_an_invalid_resume_decision_is_a_denial_that_says_so(decision: Any):
    answer = answer_from_decision(decision)
    assert answer.choice == "deny" and answer.rule_id == "firewall.approval_invalid"


def test_a_rejection_message_is_in_the_reason():
    assert "not now" in answer_from_decision({"type": "reject", "message": "not now"}).reason


def test_as_approver_wraps_callables_and_keeps_approvers():
    fixed = CallableApprover(lambda q: True)
    assert as_approver(fixed) is fixed and as_approver(None) is None
    wrapped = as_approver(lambda q: True)
    assert isinstance(wrapped, CallableApprover) and wrapped.via == "callable"
    with pytest.raises(TypeError):
        as_approver("yes")  # type: ignore[arg-type]

"""Approval in the adapters: who answers a question the firewall asks about a tool call.

A call the policy decides ASK is put to, in order:

1. the `approver=` a program gave the adapter (its runtime, session, middleware or AgentsFirewall):
   an `firewall.approve.approvers.Approver`, or a callable taking the Question and returning
   True/False, "once"/"session"/"deny", or an Answer, sync or async;
2. else the framework's own human-approval flow, where it has one (a LangGraph interrupt, the
   Agents SDK's tool approval), answered with `answer_from_decision`;
3. else the firewall's out-of-band approver (the approval page), if configured;
4. else nobody: the call is denied (firewall.approval_unavailable, with how to enable approval).

Whoever answers, the question is the same (`Question.text`), and the call's audit record carries
it with the answer (who, how, when).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from firewall.approve.approvers import Approver, CallableApprover, Decides
from firewall.approve.question import CHOICES, Answer

ApproverLike = Approver | Decides
"""What `approver=` takes: an Approver, or a program's decision callable (see CallableApprover)."""

DECISION_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "type": {"const": "approve"},
                "scope": {"enum": ["once", "session"], "default": "once"},
                "by": {"type": "string"},
            },
            "required": ["type"],
        },
        {
            "type": "object",
            "properties": {
                "type": {"const": "reject"},
                "message": {"type": "string"},
                "by": {"type": "string"},
            },
            "required": ["type"],
        },
    ]
}
"""The decisions a person may resume with, in the human-in-the-loop decision shape:
{"type": "approve"}, {"type": "approve", "scope": "session"} (approve for this session: same tool,
same argument shape), {"type": "reject", "message": "..."}; "by" names who answered."""


def as_approver(approver: ApproverLike | None, *, by: str = "approver callable") -> Approver | None:
    """An Approver as is; a decision callable wrapped in a CallableApprover (via "callable")."""
    if approver is None or isinstance(approver, Approver):
        return approver
    if callable(approver):
        return CallableApprover(approver, by=by, via="callable")
    raise TypeError(f"approver must be an Approver or a callable, not {type(approver).__name__}")


def answer_from_decision(decision: Any, *, by: str = "user") -> Answer:
    """A person's decision, given back to the framework when the run resumes, as an Answer (via
    "adapter"): a human-in-the-loop decision dict (see DECISION_SCHEMA; a {"decisions": [one]}
    response too), "once"/"session"/"deny" (or "approve"/"reject"), True/False, or an Answer.
    Anything else is a denial that says the answer was invalid."""
    if isinstance(decision, Answer):
        return decision
    if isinstance(decision, Mapping) and isinstance(decision.get("decisions"), list):
        decisions = decision["decisions"]
        decision = decisions[0] if len(decisions) == 1 else None
    if isinstance(decision, Mapping):
        by = str(decision.get("by") or by)
        kind = decision.get("type")
        if kind == "approve" and decision.get("scope", "once") in ("once", "session"):
            return Answer(decision.get("scope", "once"), by, "adapter")
        if kind == "reject":
            message = str(decision.get("message") or "")
            reason = f"approval was asked and {by} denied it (via adapter)" + (
                f": {message}" if message else ""
            )
            return Answer("deny", by, "adapter", reason=reason)
    elif decision is True or decision in ("approve",):
        return Answer("once", by, "adapter")
    elif decision is False or decision in ("reject",):
        return Answer("deny", by, "adapter")
    elif isinstance(decision, str) and decision in CHOICES:
        return Answer(decision, by, "adapter")  # type: ignore[arg-type]
    return Answer.refused(
        "firewall.approval_invalid",
        f"the answer to the approval question was invalid: {decision!r}",
        by=by,
        via="adapter",
    )

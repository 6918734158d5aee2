"""Who answers a question: the Approver protocol, and the approvers that need no connection (a fixed
answer, a program's callable, a chain). The elicitation form the firewall sends a client (handshake
era and 2026-07-28 alike) and how its reply becomes an Answer are here too."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from firewall.approve.question import CHOICE_TITLES, CHOICES, Answer, Question, Via


@runtime_checkable
class Approver(Protocol):
    """Puts a Question to someone and returns their Answer (a refusal when none comes in time)."""

    async def ask(self, question: Question) -> Answer:
        """The answer to the question; never raises for a missing or bad answer."""
        ...


class Deferred:
    """Not an approver: tells `FirewallSession.check_call` to return the question unanswered (the
    ASK stays pending), for a transport that asks across round trips (a 2026-07-28 input_required)."""


DEFER = Deferred()


class FixedAnswer:
    """Always the same answer (a verified round trip's answer, a scripted replay step)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    async def ask(self, question: Question) -> Answer:
        """The fixed answer."""
        return self.answer


Decides = Callable[[Question], "bool | str | Answer | Awaitable[bool | str | Answer]"]


class CallableApprover:
    """A program's own decision: `decide(question)` returns True/False, "once"/"session"/"deny", or an
    Answer (sync or async). Anything else, or an exception, is a denial that says so."""

    def __init__(self, decide: Decides, *, by: str = "approver callable", via: Via = "callable") -> None:
        self.decide = decide
        self.by = by
        self.via: Via = via

    async def ask(self, question: Question) -> Answer:
        """The callable's answer, as an Answer."""
        try:
            value = self.decide(question)
            if inspect.isawaitable(value):
                value = await value
        except Exception as exc:  # a broken approver must deny, not let the call through
            return Answer.refused(
                "firewall.approval_invalid",
                f"the approver raised {type(exc).__name__}: {exc}",
                by=self.by,
                via=self.via,
            )
        if isinstance(value, Answer):
            return value
        if value is True:
            return Answer("once", self.by, self.via)
        if value is False:
            return Answer("deny", self.by, self.via)
        if isinstance(value, str) and value in CHOICES:
            return Answer(value, self.by, self.via)  # type: ignore[arg-type]
        return Answer.refused(
            "firewall.approval_invalid",
            f"the approver gave an invalid answer: {value!r}",
            by=self.by,
            via=self.via,
        )


class FirstAvailable:
    """The first approver of several that is set (None entries skipped); a refusal when none is."""

    def __init__(self, approvers: Sequence[Approver | None]) -> None:
        self.approvers = [a for a in approvers if a is not None]

    async def ask(self, question: Question) -> Answer:
        """The first configured approver's answer."""
        if not self.approvers:
            return unavailable()
        return await self.approvers[0].ask(question)


def unavailable(why: str = "") -> Answer:
    """The denial of an ASK nobody can be asked about, with how to enable approval."""
    reason = (
        "approval was needed, and nobody could be asked"
        + (f" ({why})" if why else "")
        + ": use a client that declares the MCP elicitation capability, or start the approval page"
        " ([approval] page = true) and answer with `mcp-firewall approvals` or in the browser"
    )
    return Answer.refused("firewall.approval_unavailable", reason)


# -- the elicitation form ------------------------------------------------------------------------

ANSWER_FIELD = "decision"


def elicitation_params(question: Question) -> dict[str, Any]:
    """`elicitation/create` params (form mode) that put the question to the person."""
    return {
        "mode": "form",
        "message": question.text,
        "requestedSchema": {
            "type": "object",
            "properties": {
                ANSWER_FIELD: {
                    "type": "string",
                    "title": question.title,
                    "description": "Approve once, approve for this session, or deny",
                    "oneOf": [{"const": choice, "title": CHOICE_TITLES[choice]} for choice in CHOICES],
                    "default": "deny",
                }
            },
            "required": [ANSWER_FIELD],
        },
    }


def answer_from_elicitation(result: Any, *, by: str, via: Via) -> Answer:
    """An Answer from an ElicitResult dict: accept with a valid choice; decline, cancel or anything
    malformed is a denial whose reason says which."""
    if not isinstance(result, dict):
        return Answer.refused(
            "firewall.approval_invalid",
            "the client's answer to the approval question was not an object",
            by=by,
            via=via,
        )
    action = result.get("action")
    if action == "decline":
        return Answer("deny", by, via, reason=f"approval was asked and {by} declined it (via {via})")
    if action == "cancel":
        return Answer.refused(
            "firewall.approval_cancelled",
            f"approval was asked and {by} cancelled the question (via {via})",
            by=by,
            via=via,
        )
    content = result.get("content")
    choice = content.get(ANSWER_FIELD) if isinstance(content, dict) else None
    if action != "accept" or choice not in CHOICES:
        return Answer.refused(
            "firewall.approval_invalid",
            f"the answer to the approval question was invalid (action {action!r}, {ANSWER_FIELD} {choice!r})",
            by=by,
            via=via,
        )
    return Answer(choice, by, via)

"""The out-of-band approver: questions wait in a queue until someone answers them on the approval
page or with `mcp-firewall approvals`, or until the timeout denies them. One broker per firewall
process, shared by its sessions, on the event loop that serves them (the page runs there too)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import anyio

from firewall.approve.question import CHOICES, Answer, Choice, Question, Via

log = logging.getLogger(__name__)

MAX_PENDING = 1_000
"""Questions waiting at once; a question past this is denied at once (an agent in a loop of asks)."""


@dataclass
class _Waiting:
    question: Question
    answered: anyio.Event = field(default_factory=anyio.Event)
    answer: Answer | None = None


class ApprovalBroker:
    """Pending questions, answered from elsewhere (the page, the CLI) or denied at the timeout."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout
        self._waiting: dict[str, _Waiting] = {}

    async def ask(self, question: Question) -> Answer:
        """Queue the question and wait for its answer; a denial after `timeout` seconds."""
        if len(self._waiting) >= MAX_PENDING:
            return Answer.refused(
                "firewall.approval_unavailable",
                f"{MAX_PENDING} questions are already waiting for an answer",
                via="page",
            )
        waiting = _Waiting(question)
        self._waiting[question.id] = waiting
        log.warning(
            "approval needed (question %s): %s on %s; answer on the approval page or with "
            "`mcp-firewall approvals`",
            question.id,
            question.tool,
            question.server,
        )
        try:
            with anyio.move_on_after(self.timeout):
                await waiting.answered.wait()
        finally:
            self._waiting.pop(question.id, None)
        if waiting.answer is None:
            return Answer.refused(
                "firewall.approval_timeout",
                f"approval was asked on the approval page and nobody answered within {self.timeout:g} s",
                via="page",
            )
        return waiting.answer

    def pending(self) -> list[Question]:
        """The questions waiting now, oldest first."""
        return [w.question for w in self._waiting.values() if w.answer is None]

    def answer(self, question_id: str, choice: str, *, by: str, via: Via = "page") -> bool:
        """Answer a waiting question; False when there is none with that id (answered, timed out)
        or the choice is not one of once, session, deny (ValueError)."""
        if choice not in CHOICES:
            raise ValueError(f"not a choice: {choice!r} (once, session or deny)")
        waiting = self._waiting.get(question_id)
        if waiting is None or waiting.answer is not None:
            return False
        picked: Choice = choice  # type: ignore[assignment]
        waiting.answer = Answer(picked, by, via)
        waiting.answered.set()
        return True

"""The approval broker: questions wait until answered from elsewhere, or the timeout denies them."""

from __future__ import annotations

import anyio
import pytest

from firewall.approve import broker as broker_module
from firewall.approve.broker import ApprovalBroker
from firewall.approve.question import Answer, Question

pytestmark = pytest.mark.anyio


def question(qid: str = "q1", tool: str = "delete_file") -> Question:
    return Question(qid, "s1", "alice", "files", tool, {"path": "/etc"}, ("it deletes",), ("r.ask",), "k")


async def until_pending(broker: ApprovalBroker, count: int = 1) -> None:
    with anyio.fail_after(5):
        while len(broker.pending()) < count:
            await anyio.sleep(0.005)


async def test_an_answer_from_elsewhere_ends_the_wait() -> None:
    broker = ApprovalBroker(timeout=10)
    answers: list[Answer] = []
    async with anyio.create_task_group() as tg:

        async def ask() -> None:
            answers.append(await broker.ask(question()))

        tg.start_soon(ask)
        await until_pending(broker)
        assert [q.id for q in broker.pending()] == ["q1"]
        assert broker.answer("q1", "session", by="bob", via="cli")
    (answer,) = answers
    assert (answer.choice, answer.by, answer.via, answer.approved) == ("session", "bob", "cli", True)
    assert broker.pending() == []
    assert not broker.answer("q1", "once", by="bob")  # already answered: gone


async def test_pending_is_oldest_first_and_each_question_gets_its_own_answer() -> None:
    broker = ApprovalBroker(timeout=10)
    answers: dict[str, Answer] = {}
    async with anyio.create_task_group() as tg:
        for qid in ("a", "b"):

            async def ask(qid: str = qid) -> None:
                answers[qid] = await broker.ask(question(qid))

            tg.start_soon(ask)
            await until_pending(broker, 1 if qid == "a" else 2)
        assert [q.id for q in broker.pending()] == ["a", "b"]
        assert broker.answer("b", "deny", by="approval page")
        assert broker.answer("a", "once", by="approval page")
    assert answers["a"].approved and not answers["b"].approved
    assert answers["b"].rule_id == "firewall.approval_declined" and answers["b"].via == "page"


async def test_nobody_answering_is_a_denial_at_the_timeout() -> None:
    broker = ApprovalBroker(timeout=0.05)
    with anyio.fail_after(5):
        answer = await broker.ask(question())
    assert not answer.approved and answer.rule_id == "firewall.approval_timeout"
    assert "within 0.05 s" in answer.reason and answer.via == "page"
    assert broker.pending() == []


async def test_an_unknown_id_is_false_and_a_bad_choice_is_an_error() -> None:
    broker = ApprovalBroker(timeout=10)
    assert not broker.answer("nope", "once", by="x")
    with pytest.raises(ValueError, match="not a choice"):
        broker.answer("nope", "yes", by="x")
    async with anyio.create_task_group() as tg:
        tg.start_soon(broker.ask, question())
        await until_pending(broker)
        with pytest.raises(ValueError, match="once, session or deny"):
            broker.answer("q1", "approve", by="x")
        assert broker.pending()  # a bad choice answers nothing
        broker.answer("q1", "deny", by="x")


async def test_a_cancelled_ask_leaves_nothing_pending() -> None:
    broker = ApprovalBroker(timeout=10)
    async with anyio.create_task_group() as tg:
        tg.start_soon(broker.ask, question())
        await until_pending(broker)
        tg.cancel_scope.cancel()
    assert broker.pending() == []


async def test_past_max_pending_a_question_is_denied_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_module, "MAX_PENDING", 2)
    broker = ApprovalBroker(timeout=10)
    async with anyio.create_task_group() as tg:
        tg.start_soon(broker.ask, question("a"))
        tg.start_soon(broker.ask, question("b"))
        await until_pending(broker, 2)
        with anyio.fail_after(1):
            third = await broker.ask(question("c"))
        assert third.rule_id == "firewall.approval_unavailable" and "2 questions" in third.reason
        assert [q.id for q in broker.pending()] == ["a", "b"]
        tg.cancel_scope.cancel()

"""The approval core, one layer at a time: the question's text, answers, grants, the sealed state."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest
from mcp_types import JSONRPCError, JSONRPCResponse

from firewall.approve import grants as grants_module
from firewall.approve.approvers import (
    CallableApprover,
    FirstAvailable,
    answer_from_elicitation,
    elicitation_params,
)
from firewall.approve.grants import Grant, SessionGrants, grant_key
from firewall.approve.question import Answer, masked, question_for, reasons_for
from firewall.approve.request_state import PREFIX, InvalidState, StateSealer, request_digest
from firewall.core.events import Decision, Finding, SessionInfo, ToolCall, Verdict
from firewall.core.labels import UNTRUSTED_PUBLIC, Label
from firewall.core.records import ArgumentSource, CallProvenance
from firewall.proxy import wire
from firewall.proxy.asking import ClientAsker, modern_client, takes_form

pytestmark = pytest.mark.anyio
INFO = SessionInfo("s1", "alice")


def traced(
    arguments: dict[str, Any], *, untrusted: tuple[str, ...] = (), context: Label | None = None
) -> ToolCall:
    sources = tuple(
        ArgumentSource((key,), "email", 0, len(str(arguments[key])), (3,), UNTRUSTED_PUBLIC, True, ("mail",))
        for key in untrusted
    )
    provenance = CallProvenance(9, Label(), context or Label(), frozenset({"egress"}), sources)
    return ToolCall(INFO, "mail", "send_email", arguments, 1, None, provenance)


ASK = Verdict(Decision.ASK, (Finding("pack.ask", "sending to a new address needs a person"),))


def test_the_question_names_the_tool_the_arguments_and_where_each_untrusted_value_came_from():
    call = traced({"to": "archive@evil.example", "body": "hi"}, untrusted=("to",))
    q = question_for(call, ASK, grant_key(call))
    assert q.title == "Allow send_email on mail?"
    assert "to: archive@evil.example" in q.text and "sending to a new address needs a person" in q.text
    assert (
        "'archive@evil.example' in argument to comes from content of server mail, which is untrusted"
        in q.text
    )
    assert q.to_json()["principal"] == "alice" and q.to_json()["reasons"] == list(q.reasons)


def test_an_untrusted_context_is_a_reason_and_a_bare_ask_still_has_one():
    call = traced({"x": 1}, context=UNTRUSTED_PUBLIC)
    assert "the session has read untrusted content before this call" in reasons_for(
        call, Verdict(Decision.ASK)
    )
    bare = ToolCall(INFO, "", "tool", {}, 1)
    assert reasons_for(bare, Verdict(Decision.ASK)) == ["a policy rule asks for approval of this call"]
    assert question_for(bare, Verdict(Decision.ASK), "k").title == "Allow tool?"
    assert "Arguments: none" in question_for(bare, Verdict(Decision.ASK), "k").text


def test_masking_hides_secrets_and_cuts_long_values():
    shown = masked(
        {
            "api_key": "sk-123",
            "headers": {"Authorization": "Bearer x", "n": 1},
            "long": "y" * 400,
            "items": list(range(25)),
            "empty_token": "",
        }
    )
    assert shown["api_key"] == "••••••" and shown["headers"] == {"Authorization": "••••••", "n": 1}
    assert shown["long"].startswith("y" * 300) and "(400 characters)" in shown["long"]
    assert len(shown["items"]) == 21 and shown["items"][-1] == "…" and shown["empty_token"] == ""


def test_the_grant_key_is_the_shape_with_untrusted_values_pinned():
    plain = grant_key(traced({"to": "a@x.example", "n": 1, "ok": True, "l": [], "o": {}, "z": None}))
    assert plain == grant_key(
        traced({"to": "b@x.example", "n": 2.5, "ok": False, "l": [1], "o": {"k": 1}, "z": None})
    )
    assert plain != grant_key(traced({"to": 1, "n": 1, "ok": True, "l": [], "o": {}, "z": None}))
    pinned = grant_key(traced({"to": "a@evil.example"}, untrusted=("to",)))
    assert pinned != grant_key(traced({"to": "b@evil.example"}, untrusted=("to",)))


def test_grants_are_bounded_and_round_trip(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(grants_module, "MAX_GRANTS", 2)
    grants = SessionGrants()
    for key in ("a", "b", "c"):
        grants.add(key, Grant(f"q{key}", "t", "s", Answer("session", "me", "cli", "2026-01-01")))
    assert grants.find("a") is None and grants.find("c") is not None
    again = SessionGrants.load(grants.dump())
    assert again.grants == grants.grants


def test_the_elicitation_form_and_its_answers():
    q = question_for(traced({"to": "a@x.example"}), ASK, "k")
    form = elicitation_params(q)
    assert form["mode"] == "form" and form["message"] == q.text
    assert [o["const"] for o in form["requestedSchema"]["properties"]["decision"]["oneOf"]] == [
        "once",
        "session",
        "deny",
    ]
    assert (
        answer_from_elicitation(
            {"action": "accept", "content": {"decision": "session"}}, by="u", via="elicitation"
        ).choice
        == "session"
    )
    for bad in (
        "nope",
        {"action": "accept", "content": {"decision": "maybe"}},
        {"action": "accept"},
        {"action": "other"},
    ):
        answer = answer_from_elicitation(bad, by="u", via="mrtr")
        assert not answer.approved and answer.rule_id == "firewall.approval_invalid"
    assert (
        answer_from_elicitation({"action": "decline"}, by="u", via="mrtr").rule_id
        == "firewall.approval_declined"
    )


async def test_first_available_asks_the_first_set_approver_or_refuses():
    q = question_for(traced({}), ASK, "k")
    assert (await FirstAvailable([None]).ask(q)).rule_id == "firewall.approval_unavailable"
    chosen = FirstAvailable([None, CallableApprover(lambda _: True), CallableApprover(lambda _: False)])
    assert (await chosen.ask(q)).approved


def test_a_sealed_state_opens_once_for_its_own_principal_session_and_request():
    sealer = StateSealer(b"k" * 32, ttl=60)
    digest = request_digest("add", {"a": 1})
    state = sealer.seal("alice", "s1", digest, "q1", {"requestState": "server-own"})
    with pytest.raises(InvalidState, match="another principal"):
        sealer.open(state, principal="bob", session="s1", digest=digest)
    with pytest.raises(InvalidState, match="not the request"):
        sealer.open(state, principal="alice", session="s1", digest=request_digest("add", {"a": 2}))
    claims = sealer.open(state, principal="alice", session="s1", digest=digest)
    assert claims.question == "q1" and claims.carried == {"requestState": "server-own"}
    with pytest.raises(InvalidState, match="already used"):
        sealer.open(state, principal="alice", session="s1", digest=digest)
    with pytest.raises(InvalidState, match="not issued"):
        sealer.open("server-state", principal="alice", session="s1", digest=digest)
    with pytest.raises(InvalidState, match="not authentic"):
        StateSealer(b"o" * 32).open(state, principal="alice", session="s1", digest=digest)


def test_an_expired_or_unreadable_state_is_refused(monkeypatch: pytest.MonkeyPatch):
    sealer = StateSealer(ttl=5)
    digest = request_digest("add", {})
    old = sealer.seal("a", "s", digest, "q")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 10)
    with pytest.raises(InvalidState, match="expired"):
        sealer.open(old, principal="a", session="s", digest=digest)
    monkeypatch.setattr(time, "time", real)
    body = "bm90IGpzb24"  # "not json", authentic
    forged = f"{PREFIX}{body}.{sealer._mac(body)}"
    with pytest.raises(InvalidState, match="cannot be read"):
        sealer.open(forged, principal="a", session="s", digest=digest)


def test_spent_states_are_forgotten_once_expired(monkeypatch: pytest.MonkeyPatch):
    sealer = StateSealer(ttl=1)
    digest = request_digest("t", {})
    sealer.open(sealer.seal("a", "s", digest, "q"), principal="a", session="s", digest=digest)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 0.5)
    fresh = sealer.seal("a", "s", digest, "q2")
    monkeypatch.setattr(time, "time", lambda: real() + 1.2)
    sealer.open(fresh, principal="a", session="s", digest=digest)
    assert len(sealer._used) == 1  # the first, expired, is gone


def test_what_a_client_can_be_asked():
    assert takes_form({"elicitation": {}}) and takes_form({"elicitation": {"form": {}, "url": {}}})
    assert not takes_form({"elicitation": {"url": {}}}) and not takes_form({}) and not takes_form(None)
    meta = {
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "c"},
    }
    assert modern_client({"_meta": meta}) == (True, "c") and modern_client({}) == (False, "")


async def test_the_client_asker_handles_an_error_reply_and_ignores_strangers():
    sent: list[Any] = []
    asker = ClientAsker(lambda message, related: _record(sent, message), timeout=5)
    asker.note_initialize({"capabilities": {"elicitation": {}}, "clientInfo": {"name": "desk"}})
    assert asker.can_ask and asker.client_name == "desk"
    assert not asker.settle(JSONRPCResponse(jsonrpc="2.0", id=12345, result={}))
    q = question_for(traced({}), ASK, "k")
    async with anyio.create_task_group() as tg:
        answers: list[Answer] = []

        async def ask() -> None:
            answers.append(await asker.ask(q, 7, {"m": 1}))

        tg.start_soon(ask)
        while not sent:
            await anyio.sleep(0.01)
        request = sent[0]
        assert request.method == "elicitation/create" and request.params["_meta"] == {"m": 1}
        assert asker.settle(wire.error(request.id, -1, "user closed the dialog"))
    assert answers[0].rule_id == "firewall.approval_invalid" and "user closed the dialog" in answers[0].reason
    assert isinstance(wire.error(1, 1, "x"), JSONRPCError)


async def _record(sent: list[Any], message: Any) -> None:
    sent.append(message)


def test_the_graph_names_where_content_came_from_in_words():
    from firewall.config import ProvenanceConfig
    from firewall.provenance.graph import SessionGraph
    from firewall.provenance.labeler import Labeler

    graph = SessionGraph(Labeler(ProvenanceConfig()), 100, 1 << 20)
    user = graph.add_output("user", "", "user", ["hello"], Label())
    page = graph.add_output("resource", "web", "https://x.example/", ["text"], UNTRUSTED_PUBLIC)
    odd = graph.add_output("custom_kind", "", "", ["t"], UNTRUSTED_PUBLIC)
    assert graph.describe(user.node) == "the user's message"
    assert graph.describe(page.node) == "resource https://x.example/ on server web"
    assert graph.describe(odd.node) == "custom kind" and graph.describe(999) == ""


async def test_withdrawing_a_question_cancels_it_in_the_client_and_denies():
    sent: list[Any] = []
    asker = ClientAsker(lambda message, related: _record(sent, message), timeout=5)
    q = question_for(traced({}), ASK, "k")
    answers: list[Answer] = []
    async with anyio.create_task_group() as tg:

        async def ask() -> None:
            answers.append(await asker.ask(q, "call-1", None))

        tg.start_soon(ask)
        while not sent:
            await anyio.sleep(0.01)
        asker.withdraw("other-call")  # not this question's call: nothing happens
        asker.withdraw("call-1")
    assert answers[0].rule_id == "firewall.approval_cancelled"
    assert sent[-1].method == "notifications/cancelled" and sent[-1].params["requestId"] == sent[0].id


async def test_an_unanswered_question_times_out_and_is_cancelled_in_the_client():
    sent: list[Any] = []
    asker = ClientAsker(lambda message, related: _record(sent, message), timeout=0.05)
    answer = await asker.ask(question_for(traced({}), ASK, "k"), None, None)
    assert answer.rule_id == "firewall.approval_timeout" and "within 0.05 s" in answer.reason
    assert sent[-1].method == "notifications/cancelled"


def test_the_untrusted_context_is_not_said_twice():
    call = traced({"x": 1}, context=UNTRUSTED_PUBLIC)
    asked = Verdict(
        Decision.ASK, (Finding("p", "delete is destructive and the session has read untrusted content"),)
    )
    assert reasons_for(call, asked) == ["delete is destructive and the session has read untrusted content"]

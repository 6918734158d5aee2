"""The approval page and its JSON API, against the ASGI app (httpx, same event loop as the broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest

from firewall.approve.broker import ApprovalBroker
from firewall.approve.page import CLI_BY, PAGE_BY, listen, new_token, page_app, serving
from firewall.approve.question import Answer, Question

pytestmark = pytest.mark.anyio
TOKEN = "t" * 32
BASE = "http://127.0.0.1:8123"
EVIL = '<script>alert("x")</script>'


def question(qid: str = "q1", path: str = "/tmp/x") -> Question:
    return Question(
        qid,
        "s1",
        "alice",
        "files",
        "delete_file",
        {"path": path},
        (f'the path {EVIL!r} comes from content of server web"><img src=x>, which is untrusted',),
        ("r.ask",),
        "k",
    )


class Asking:
    """Questions waiting on a broker, and the answers they got."""

    def __init__(self, broker: ApprovalBroker) -> None:
        self.broker = broker
        self.answers: dict[str, Answer] = {}


@asynccontextmanager
async def page(*questions: Question) -> AsyncIterator[tuple[httpx.AsyncClient, Asking]]:
    broker = ApprovalBroker(timeout=30)
    asking = Asking(broker)
    async with anyio.create_task_group() as tg:
        for q in questions:

            async def ask(q: Question = q) -> None:
                asking.answers[q.id] = await broker.ask(q)

            tg.start_soon(ask)
        with anyio.fail_after(5):
            while len(broker.pending()) < len(questions):
                await anyio.sleep(0.005)
        transport = httpx.ASGITransport(app=page_app(broker, TOKEN))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            yield client, asking
        tg.cancel_scope.cancel()


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_page_lists_each_question_with_three_buttons_and_escapes_everything() -> None:
    async with page(question("q1", EVIL), question("q2")) as (client, _):
        response = await client.get("/", params={"token": TOKEN})
    assert response.status_code == 200
    body = response.text
    assert body.count("<form") == 2 and body.count('name="choice"') == 6
    for title in ("Approve once", "Approve for this session", "Deny"):
        assert title in body
    assert "Allow delete_file on files?" in body and "q1" in body and "principal alice" in body
    # The attacker-influenced text is shown, escaped: nothing of it is markup.
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;alert(" in body and "&lt;img src=x&gt;" in body
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert 'http-equiv="refresh"' not in body  # no reload while someone reads a question


async def test_with_nothing_pending_the_page_says_so_and_reloads_itself() -> None:
    async with page() as (client, _):
        response = await client.get("/", params={"token": TOKEN})
    assert "Nothing is waiting" in response.text and 'http-equiv="refresh"' in response.text


@pytest.mark.parametrize(("params", "status"), [({}, 401), ({"token": "wrong"}, 403)])
async def test_a_missing_or_wrong_token_is_refused(params: dict[str, str], status: int) -> None:
    async with page(question()) as (client, asking):
        response = await client.get("/", params=params)
        form = await client.post("/answer", data={**params, "id": "q1", "choice": "once"})
        api = await client.get("/api/pending", headers=bearer("wrong") if params else {})
        answered = await client.post("/api/answer", json={"id": "q1", "choice": "once"})
        assert asking.broker.pending()  # nothing was answered
    assert response.status_code == status and "q1" not in response.text
    assert form.status_code == status
    assert api.status_code == status and "error" in api.json()
    assert answered.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Host": "evil.example:8123"},
        {"Host": "127.0.0.1.evil.example"},
        {"Origin": "http://evil.example"},
        {"Origin": "https://127.0.0.1:8123"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_a_foreign_host_or_origin_is_refused_even_with_the_token(headers: dict[str, str]) -> None:
    async with page(question()) as (client, asking):
        get = await client.get("/", params={"token": TOKEN}, headers=headers)
        post = await client.post(
            "/answer", data={"token": TOKEN, "id": "q1", "choice": "once"}, headers=headers
        )
        api = await client.post(
            "/api/answer", json={"id": "q1", "choice": "once"}, headers=bearer() | headers
        )
        assert asking.broker.pending()
    assert get.status_code == post.status_code == api.status_code == 403
    assert "q1" not in get.text


@pytest.mark.parametrize("host", ["localhost:8123", "[::1]:8123", "127.0.0.1"])
async def test_loopback_names_and_a_same_origin_post_are_accepted(host: str) -> None:
    async with page(question()) as (client, asking):
        response = await client.post(
            "/answer",
            data={"token": TOKEN, "id": "q1", "choice": "once"},
            headers={"Host": host, "Origin": f"http://{host}"},
        )
        with anyio.fail_after(5):
            while "q1" not in asking.answers:
                await anyio.sleep(0.005)
    assert response.status_code == 303


async def test_a_button_answers_the_question_and_returns_to_the_list() -> None:
    async with page(question("q1"), question("q2")) as (client, asking):
        response = await client.post("/answer", data={"token": TOKEN, "id": "q2", "choice": "session"})
        assert response.status_code == 303
        with anyio.fail_after(5):
            while "q2" not in asking.answers:
                await anyio.sleep(0.005)
        followed = await client.get(response.headers["location"])
        assert [q.id for q in asking.broker.pending()] == ["q1"]
    answer = asking.answers["q2"]
    assert (answer.choice, answer.by, answer.via) == ("session", PAGE_BY, "page")
    assert "Question q2: Approve for this session" in followed.text
    assert 'value="q2"' not in followed.text and 'value="q1"' in followed.text


async def test_a_button_for_an_unknown_question_or_a_bad_choice_says_so() -> None:
    async with page(question()) as (client, asking):
        unknown = await client.post("/answer", data={"token": TOKEN, "id": "gone<b>", "choice": "deny"})
        bad = await client.post("/answer", data={"token": TOKEN, "id": "q1", "choice": "yes"})
        huge = await client.post("/answer", content=b"x" * 20_000)
        assert asking.broker.pending()
    assert unknown.status_code == 404 and "no pending question" in unknown.text
    assert "gone&lt;b&gt;" in unknown.text and "Back to the questions" in unknown.text
    assert bad.status_code == 400 and "once, session or deny" in bad.text
    assert huge.status_code == 413


async def test_the_json_api_lists_and_answers() -> None:
    async with page(question("q1"), question("q2")) as (client, asking):
        listed = await client.get("/api/pending", headers=bearer())
        approved = await client.post(
            "/api/answer", json={"id": "q1", "choice": "once", "by": "bob"}, headers=bearer()
        )
        denied = await client.post("/api/answer", json={"id": "q2", "choice": "deny"}, headers=bearer())
        with anyio.fail_after(5):
            while len(asking.answers) < 2:
                await anyio.sleep(0.005)
        after = await client.get("/api/pending", headers=bearer())
    assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
    pending = listed.json()["pending"]
    assert [q["id"] for q in pending] == ["q1", "q2"]
    assert pending[0]["title"] == "Allow delete_file on files?" and pending[0]["arguments"] == {
        "path": "/tmp/x"
    }
    assert approved.json() == {"id": "q1", "choice": "once", "by": "bob", "via": "cli"}
    assert (asking.answers["q1"].by, asking.answers["q1"].via) == ("bob", "cli")
    assert denied.status_code == 200 and asking.answers["q2"].by == CLI_BY
    assert not asking.answers["q2"].approved
    assert after.json() == {"pending": []}


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"id": "nope", "choice": "once"}, 404, "no pending question 'nope'"),
        ({"id": "q1", "choice": "maybe"}, 400, "once, session or deny"),
        ({"choice": "once"}, 400, "{id, choice}"),
        ([1, 2], 400, "{id, choice}"),
        ("not json{", 400, "{id, choice}"),
    ],
)
async def test_the_json_api_refuses_a_bad_answer(body: object, status: int, says: str) -> None:
    async with page(question()) as (client, asking):
        if isinstance(body, str):
            response = await client.post("/api/answer", content=body, headers=bearer())
        else:
            response = await client.post("/api/answer", json=body, headers=bearer())
        assert asking.broker.pending()
    assert response.status_code == status and says in response.json()["error"]


async def test_the_page_serves_over_a_real_socket_and_stops() -> None:
    broker = ApprovalBroker(timeout=30)
    token = new_token()
    assert len(token) >= 16 and token != new_token()
    sock = listen(0)
    with anyio.fail_after(10):
        async with serving(broker, token, sock) as url, httpx.AsyncClient() as client:
            assert url.startswith("http://127.0.0.1:")
            response = await client.get(f"{url}/api/pending", headers=bearer(token))
            assert response.json() == {"pending": []}
    assert sock.fileno() == -1  # closed
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"{url}/api/pending")


def test_a_taken_port_is_an_os_error() -> None:
    sock = listen(0)
    try:
        with pytest.raises(OSError):
            listen(sock.getsockname()[1])
    finally:
        sock.close()

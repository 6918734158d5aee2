"""firewall/proxy/transports.py: the HTTP front's refusals (in-process, raw ASGI), its Host and
Origin checks, and a child stdio server (a real small Python subprocess, under a deadline).

The e2e tests drive the accepted paths through real SDK clients; these aim at the refusals and the
process lifecycle they do not reach.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp.server.transport_security import RequestBodyLimitMiddleware
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCRequest, JSONRPCResponse

from firewall.config import ServerConfig
from firewall.core.events import SessionInfo
from firewall.proxy import transports
from firewall.proxy.framing import OVERSIZED
from firewall.proxy.sdk import Streams
from firewall.proxy.transports import HttpFront, child_stdio, http_app, server_streams

pytestmark = pytest.mark.anyio

TOKEN = "t0ken"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
ACCEPT = "application/json, text/event-stream"

# -- host, origin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("Example.com", ("example.com", None)),
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:99", ("[::1]", 99)),
        ("host:0", None),
        ("host:65536", None),
        ("a b", None),
        ("", None),
    ],
)
def test_a_host_header_is_a_host_and_an_optional_port_or_nothing(
    value: str, parsed: tuple[str, int | None] | None
) -> None:
    assert transports._authority(value) == parsed


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://gw.example:8000", ("gw.example", 8000), True),  # the request's own origin
        ("https://gw.example", ("gw.example", 443), True),  # default ports are the same port
        ("http://localhost:8000", ("gw.example", 8000), True),  # loopback on the server's port
        ("http://[::1]:8000", None, True),
        ("http://127.0.0.1:9999", ("gw.example", 8000), False),  # loopback, another port
        ("http://evil.example:8000", ("gw.example", 8000), False),
        ("ftp://gw.example:8000", ("gw.example", 8000), False),
        ("http://", ("gw.example", 8000), False),
        ("http://not-a-loopback-name:8000", None, False),
    ],
)
def test_an_origin_is_the_requests_own_or_a_loopback_one_on_the_servers_port(
    origin: str, host: tuple[str, int | None] | None, allowed: bool
) -> None:
    assert transports._origin_allowed(origin, host, ("127.0.0.1", 8000)) is allowed


def test_with_no_server_address_only_the_requests_own_origin_is_allowed() -> None:
    assert transports._origin_allowed("http://localhost:1", None, None) is False


# -- the HTTP front's refusals ---------------------------------------------------------------------


class Exchange:
    """One raw ASGI request to the front, and what it answered."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = b""

    def json(self) -> Any:
        return json.loads(self.body)


async def asgi(
    app: Any,
    method: str = "POST",
    *,
    path: str = "/mcp",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    token: str | None = TOKEN,
    disconnect: bool = False,
) -> Exchange:
    sent = dict(headers or {})
    if token is not None:
        sent.setdefault("authorization", f"Bearer {token}")
    sent.setdefault("host", "127.0.0.1:8000")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
        "server": ("127.0.0.1", 8000),
        "query_string": b"",
        "scheme": "http",
        "http_version": "1.1",
    }
    messages: list[dict[str, Any]] = (
        [{"type": "http.disconnect"}] if disconnect else [{"type": "http.request", "body": body}]
    )
    exchange = Exchange()

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await anyio.sleep_forever()
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]
            exchange.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")

    with anyio.fail_after(5):
        await app(scope, receive, send)
    return exchange


@asynccontextmanager
async def front(**options: Any) -> AsyncIterator[HttpFront]:
    opened: list[SessionInfo] = []

    async def serve_session(info: SessionInfo, streams: Streams) -> None:
        opened.append(info)
        receive, send = streams
        async for item in receive:
            if isinstance(item, SessionMessage) and isinstance(item.message, JSONRPCRequest):
                result = {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "serverInfo": {"name": "s", "version": "1"},
                }
                await send.send(
                    SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=item.message.id, result=result))
                )

    async with anyio.create_task_group() as tg:
        app = HttpFront({TOKEN: "alice", "other": "bob"}, serve_session, tg, **options)
        app.opened = opened  # type: ignore[attr-defined]
        yield app
        tg.cancel_scope.cancel()


def init_headers(**extra: str) -> dict[str, str]:
    return {"accept": ACCEPT, "content-type": "application/json", **extra}


async def test_another_path_is_not_found_and_a_non_http_scope_is_ignored() -> None:
    async with front() as app:
        assert (await asgi(app, path="/other")).status == 404
        await app({"type": "lifespan"}, None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic t0ken", "t0ken"])
async def test_without_a_valid_bearer_token_the_answer_is_401(authorization: str | None) -> None:
    headers = {} if authorization is None else {"authorization": authorization}
    async with front() as app:
        answer = await asgi(app, headers=headers, token=None)
    assert answer.status == 401 and answer.headers["www-authenticate"] == 'Bearer realm="mcp-firewall"'


async def test_a_foreign_host_is_misdirected_and_a_foreign_origin_forbidden() -> None:
    async with front(allowed_hosts=["gw.example"]) as app:
        assert (await asgi(app, headers={"host": "evil.example"})).status == 421
        assert (await asgi(app, headers={"host": "bad host"})).status == 421
        headers = {"host": "gw.example", "origin": "http://evil.example"}
        assert (await asgi(app, headers=headers)).status == 403


async def test_a_stateless_protocol_version_is_refused_with_the_handshake_versions() -> None:
    async with front() as app:
        answer = await asgi(app, headers={"mcp-protocol-version": "2026-07-28"})
    assert answer.status == 400 and answer.json()["error"]["data"]["requested"] == "2026-07-28"


@pytest.mark.parametrize(("method", "status"), [("GET", 400), ("DELETE", 400), ("PUT", 405)])
async def test_without_a_session_only_post_may_open_one(method: str, status: int) -> None:
    async with front() as app:
        answer = await asgi(app, method)
    assert answer.status == status and app.sessions == {}
    if status == 405:
        assert answer.headers["allow"] == "GET, POST, DELETE"


@pytest.mark.parametrize(
    ("headers", "body", "status", "text"),
    [
        ({"accept": "application/json", "content-type": "application/json"}, INIT, 406, "Not Acceptable"),
        ({"accept": ACCEPT, "content-type": "text/plain"}, INIT, 415, "Unsupported Media Type"),
        (init_headers(), b"{not json", 400, "Parse error"),
        (init_headers(), {"jsonrpc": "2.0", "id": 1}, 400, "Validation error"),
        (init_headers(), {**INIT, "method": "tools/list"}, 400, "Missing session ID"),
    ],
)
async def test_a_post_that_is_not_a_well_formed_initialize_opens_nothing(
    headers: dict[str, str], body: Any, status: int, text: str
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with front() as app:
        answer = await asgi(app, headers=headers, body=raw)
        assert answer.status == status and text in answer.json()["error"]["message"]
        assert app.sessions == {} and app.opened == []  # type: ignore[attr-defined]


async def test_a_client_that_leaves_before_its_body_opens_nothing() -> None:
    async with front() as app:
        answer = await asgi(app, headers=init_headers(), disconnect=True)
    assert answer.status is None and app.sessions == {}


async def test_an_initialize_opens_a_session_that_only_its_principal_can_use() -> None:
    async with front() as app:
        answer = await asgi(app, headers=init_headers(), body=json.dumps(INIT).encode())
        assert answer.status == 200
        (session_id,) = app.sessions
        (info,) = app.opened  # type: ignore[attr-defined]
        assert info.id == session_id and info.principal == "alice"
        assert answer.headers["mcp-session-id"] == session_id
        theirs = await asgi(app, headers={"mcp-session-id": session_id}, token="other")
        assert theirs.status == 404
        unknown = await asgi(app, headers={"mcp-session-id": "nope"})
        assert unknown.status == 404


async def test_past_max_sessions_an_initialize_is_refused() -> None:
    async with front(max_sessions=1) as app:
        body = json.dumps(INIT).encode()
        assert (await asgi(app, headers=init_headers(), body=body)).status == 200
        refused = await asgi(app, headers=init_headers(), body=body)
    assert refused.status == 503 and refused.json() == {"error": "too many open sessions"}


async def test_the_app_caps_request_bodies() -> None:
    async with front() as app:
        capped = http_app(app, 10)
        assert isinstance(capped, RequestBodyLimitMiddleware)
        answer = await asgi(capped, headers=init_headers(), body=json.dumps(INIT).encode())
    assert answer.status == 413 and app.sessions == {}


async def test_the_body_already_read_is_delivered_again_first() -> None:
    later = {"type": "http.disconnect"}

    async def receive() -> Any:
        return later

    replay = transports._replay(b"body", receive)  # type: ignore[arg-type]
    assert await replay() == {"type": "http.request", "body": b"body", "more_body": False}
    assert await replay() is later


# -- a child stdio server ------------------------------------------------------------------------

ECHO = """
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {"echo": message["params"]}}), flush=True)
"""

STUBBORN = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", file=sys.stderr, flush=True)
sys.stdin.read()
while True:
    time.sleep(1)
"""


async def test_a_child_server_is_spoken_to_with_the_sdks_framing() -> None:
    request = JSONRPCRequest(jsonrpc="2.0", id=3, method="ping", params={"x": 1})
    with anyio.fail_after(20):
        async with child_stdio([sys.executable, "-c", ECHO], env=None, cwd=None, limit=10_000) as (
            receive,
            send,
        ):
            await send.send(SessionMessage(request))
            reply = await receive.receive()
    assert isinstance(reply, SessionMessage) and reply.message == JSONRPCResponse(
        jsonrpc="2.0", id=3, result={"echo": {"x": 1}}
    )


async def test_a_child_line_over_the_limit_becomes_a_marker_not_a_buffer() -> None:
    shout = "import sys; sys.stdout.write('x' * 5000 + '\\n'); sys.stdout.flush(); sys.stdin.read()"
    with anyio.fail_after(20):
        async with child_stdio([sys.executable, "-c", shout], env=None, cwd=None, limit=100) as (receive, _):
            item = await receive.receive()
    assert isinstance(item, Exception) and OVERSIZED in str(item)


async def test_a_configured_stdio_server_starts_with_its_environment(tmp_path: Any) -> None:
    script = "import os, sys; print(os.environ['ECHO_ME'], file=open('out.txt', 'w')); sys.stdin.read()"
    config = ServerConfig(command=[sys.executable, "-c", script], env={"ECHO_ME": "yes"}, cwd=tmp_path)
    with anyio.fail_after(20):
        async with server_streams("s", config, 1000):
            for _ in range(200):
                if (tmp_path / "out.txt").exists() and (tmp_path / "out.txt").read_text():
                    break
                await anyio.sleep(0.05)
    assert (tmp_path / "out.txt").read_text().strip() == "yes"


async def test_a_child_that_ignores_eof_and_sigterm_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transports, "GRACE_SECONDS", 0.2)
    with anyio.fail_after(20):
        process = await anyio.open_process([sys.executable, "-c", STUBBORN], stderr=-1)
        assert process.stderr is not None
        await process.stderr.receive()  # "ready": its SIGTERM handler is in place
        await transports._stop(process)
        assert process.returncode == -9
        await process.aclose()


# -- the agent on our own stdin/stdout (in a child: it takes over fds 0 and 1) -------------------

AGENT_SIDE = """
import anyio
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCResponse
from firewall.proxy.transports import agent_stdio

async def main():
    async with agent_stdio(200) as (receive, send):
        async for item in receive:
            print("a stray print goes to stderr")
            if isinstance(item, Exception):
                text = type(item).__name__ + ": " + str(item)[:60]
                result = {"error": text}
                message_id = 0
            else:
                result = {"method": getattr(item.message, "method", None)}
                message_id = item.message.id
            await send.send(SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=message_id, result=result)))

anyio.run(main)
"""


def test_the_agent_side_reads_capped_lines_and_only_messages_reach_stdout() -> None:
    lines = [
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"pad": "x" * 300}}),
        json.dumps({"jsonrpc": "2.0", "id": True, "method": "ping"}),
    ]
    done = subprocess.run(
        [sys.executable, "-c", AGENT_SIDE],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in replies] == [1, 0, 0]
    assert replies[0]["result"] == {"method": "ping"}
    assert all("ValidationError" in r["result"]["error"] for r in replies[1:])  # oversized, invalid id
    assert done.stderr.count("a stray print goes to stderr") == 3

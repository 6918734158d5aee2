"""Regression tests for the hardening issue: every message decided or refused, nothing a peer sends
crashes the relay, no process left behind. The wrapper and the stdio gateway run as real
subprocesses in front of tests/support/raw_server.py, a server that is lenient on purpose (it runs a
`tools/call` notification) and records every line it receives.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import psutil
import pytest
from gateway import RAW_SERVER, TOKEN, free_port, http_gateway, wrap_command

from tests.support.raw_client import INITIALIZE, RawPeer, raw_process

pytestmark = pytest.mark.anyio

CONFIG = """
[detect]
classifier = "off"
[limits]
request_timeout_seconds = 3
[[rules]]
id = "no-delete"
tool = "*delete_everything"
action = "deny"
"""


def wrap_raw(tmp_path: Path, *server_flags: str) -> list[str]:
    server = [*RAW_SERVER, "--record", str(tmp_path / "received.jsonl"), *server_flags]
    return wrap_command(tmp_path, CONFIG, server, "--audit-log", str(tmp_path / "audit.jsonl"))


def gateway_command(tmp_path: Path) -> list[str]:
    servers = ""
    for name in ("a", "b"):
        command = [*RAW_SERVER, "--record", str(tmp_path / f"received-{name}.jsonl")]
        servers += f"[servers.{name}]\ncommand = {json.dumps(command)}\n"
    config = tmp_path / "gw.toml"
    config.write_text(CONFIG + '[gateway]\ntransport = "stdio"\n' + servers)
    return [
        sys.executable,
        "-m",
        "firewall",
        "serve",
        "--config",
        str(config),
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
    ]


def received(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    return received(tmp_path / "audit.jsonl")


async def still_serving(peer: RawPeer, request_id: int, tool: str = "echo") -> None:
    reply = await peer.call(request_id, tool, {"text": f"alive {request_id}"})
    assert reply["result"]["content"][0]["text"] == f"Echo: alive {request_id}", reply


BAD_IDS = [pytest.param(None, id="no-id"), True, 1.5, pytest.param("null", id="null"), {}, [1]]


@pytest.mark.parametrize("bad_id", BAD_IDS)
async def test_a_tools_call_without_a_valid_id_is_refused_audited_and_never_forwarded(tmp_path, bad_id):
    async with raw_process(wrap_raw(tmp_path)) as peer:
        await peer.handshake()
        message: dict[str, Any] = {
            "jsonrpc": "2.0",
            "method": "tools/call",
            "params": {"name": "delete_everything", "arguments": {}},
        }
        if bad_id is not None:
            message["id"] = None if bad_id == "null" else bad_id
        await peer.send(message)
        if bad_id is not None:  # a message with an unusable id is answered with id null (JSON-RPC 2.0)
            reply = await peer.receive()
            assert reply["id"] is None and reply["error"]["code"] == -32600
        await still_serving(peer, 2)
    calls = [m for m in received(tmp_path / "received.jsonl") if m.get("method") == "tools/call"]
    assert [m["params"]["name"] for m in calls] == ["echo"]
    refused = [r for r in audit(tmp_path) if r.get("rule_ids") == ["firewall.invalid_message"]]
    assert len(refused) == 1 and refused[0]["method"] == "tools/call" and refused[0]["decision"] == "deny"
    assert refused[0]["tool"] == "delete_everything"


async def test_request_methods_sent_as_notifications_never_reach_the_gateways_servers(tmp_path):
    async with raw_process(gateway_command(tmp_path)) as peer:
        await peer.handshake()
        for name in ("a__delete_everything", "delete_everything"):
            params = {"name": name, "arguments": {}}
            await peer.send({"jsonrpc": "2.0", "method": "tools/call", "params": params})
        await peer.send({"jsonrpc": "2.0", "method": "ping"})
        reply = await peer.call(7, "b__echo", {"text": "alive 7"})
        assert reply["result"]["content"][0]["text"] == "Echo: alive 7"
    for name in ("a", "b"):
        methods = [m.get("method") for m in received(tmp_path / f"received-{name}.jsonl")]
        assert "ping" not in methods
        calls = [m for m in received(tmp_path / f"received-{name}.jsonl") if m.get("method") == "tools/call"]
        assert all(m["params"]["name"] == "echo" for m in calls)
    assert len([r for r in audit(tmp_path) if r.get("rule_ids") == ["firewall.invalid_message"]]) == 3


MALFORMED_FROM_AGENT = [
    pytest.param({"method": "notifications/cancelled", "params": {"requestId": [1]}}, None, id="cancel-list"),
    pytest.param(
        {"method": "notifications/cancelled", "params": {"requestId": {"a": 1}}}, None, id="cancel-obj"
    ),
    pytest.param({"method": "notifications/progress", "params": {"progressToken": [1]}}, None, id="progress"),
    pytest.param({"id": 3, "method": "ping", "params": {"_meta": [1]}}, -32602, id="meta-list"),
    pytest.param(
        {"id": 3, "method": "tools/call", "params": {"name": "echo", "arguments": {}, "_meta": "x"}},
        -32602,
        id="meta-string",
    ),
    pytest.param({"id": 3, "method": "tools/call", "params": {"name": ["echo"]}}, -32602, id="name-list"),
    pytest.param(
        {"id": 3, "method": "tools/call", "params": {"name": "echo", "arguments": [1]}}, -32602, id="args"
    ),
]


@pytest.mark.parametrize(("message", "code"), MALFORMED_FROM_AGENT)
async def test_one_malformed_agent_message_does_not_kill_the_wrapper(tmp_path, message, code):
    async with raw_process(wrap_raw(tmp_path)) as peer:
        await peer.handshake()
        await peer.send({"jsonrpc": "2.0", **message})
        if "id" in message:
            reply = await peer.reply_to(message["id"])
            if code is not None:
                assert reply["error"]["code"] == code
        await still_serving(peer, 4)
        await still_serving(peer, 5)


@pytest.mark.parametrize("tool", ["bad_progress", "bad_notes"])
async def test_a_malformed_server_message_does_not_kill_the_relay(tmp_path, tool):
    async with raw_process(wrap_raw(tmp_path)) as peer:
        await peer.handshake()
        reply = await peer.call(3, tool)
        assert reply["result"]["content"][0]["text"] == "deleted"
        await still_serving(peer, 4)
        await peer.close_stdin()
        assert await peer.wait() == 0
        assert "Traceback" not in await peer.stderr_text()


async def test_a_malformed_message_from_one_gateway_server_leaves_the_other_serving(tmp_path):
    async with raw_process(gateway_command(tmp_path)) as peer:
        await peer.handshake()
        for request_id, tool in enumerate(["a__bad_progress", "a__bad_notes"], start=3):
            reply = await peer.call(request_id, tool)
            assert reply["result"]["content"][0]["text"] == "deleted"
        await still_serving(peer, 5, "b__echo")
        await still_serving(peer, 6, "a__echo")


@pytest.mark.parametrize("in_flight", [[], ["tools/list"], ["ping"], ["tools/list", "ping"]])
async def test_replies_in_flight_when_the_agent_closes_stdin_are_delivered_then_it_exits(tmp_path, in_flight):
    async with raw_process(wrap_raw(tmp_path)) as peer:
        await peer.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": INITIALIZE})
        for request_id, method in enumerate(in_flight, start=1):
            await peer.send({"jsonrpc": "2.0", "id": request_id, "method": method})
        await peer.close_stdin()
        answered = {(await peer.receive())["id"] for _ in range(len(in_flight) + 1)}
        assert answered == set(range(len(in_flight) + 1))
        assert await peer.wait() == 0


async def test_a_server_that_never_answers_gets_the_agent_an_error_and_a_cancellation(tmp_path):
    async with raw_process(wrap_raw(tmp_path)) as peer:
        await peer.handshake()
        reply = await peer.call(3, "hang")
        assert reply["error"]["code"] == -32013 and "did not answer" in reply["error"]["message"]
        await still_serving(peer, 4)
    messages = received(tmp_path / "received.jsonl")
    hang_id = next(m["id"] for m in messages if m.get("params", {}).get("name") == "hang")
    cancels = [m for m in messages if m.get("method") == "notifications/cancelled"]
    assert [c["params"]["requestId"] for c in cancels] == [hang_id]


async def signal_leaves_nothing_behind(peer: RawPeer, signum: int, servers: int) -> None:
    """Signal the firewall: it exits 128 + signum, without a traceback, and every server is gone."""
    children = psutil.Process(peer.process.pid).children(recursive=True)
    assert len(children) >= servers
    peer.process.send_signal(signum)
    assert await peer.wait() == 128 + signum
    assert "Traceback" not in await peer.stderr_text()
    for child in children:
        with anyio.fail_after(5):
            while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                await anyio.sleep(0.05)


@pytest.mark.parametrize(
    "flags", [["--ignore-eof"], ["--ignore-eof", "--ignore-sigterm"]], ids=["eof", "term"]
)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_stops_the_wrapper_and_its_server_and_leaves_no_process(tmp_path, flags, signum):
    async with raw_process(wrap_raw(tmp_path, *flags)) as peer:
        await peer.handshake()
        await signal_leaves_nothing_behind(peer, signum, servers=1)


async def test_a_signal_stops_the_stdio_gateway_and_every_server(tmp_path):
    async with raw_process(gateway_command(tmp_path)) as peer:
        await peer.handshake()
        await signal_leaves_nothing_behind(peer, signal.SIGTERM, servers=2)


class HttpSession:
    """One MCP session on the gateway's HTTP front, spoken raw (httpx), every request bounded."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.headers = {
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {TOKEN}",
        }

    async def post(self, message: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        async with httpx.AsyncClient(timeout=20) as http:
            response = await http.post(self.url, json={"jsonrpc": "2.0", **message}, headers=self.headers)
        if "mcp-session-id" in response.headers:
            self.headers["mcp-session-id"] = response.headers["mcp-session-id"]
        body = response.text
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            found = [
                json.loads(line[5:])
                for line in body.splitlines()
                if line.startswith("data:") and line[5:].strip()
            ]
        else:
            found = [json.loads(body)] if body.strip() else []
        return response.status_code, found


async def test_a_malformed_message_does_not_end_an_http_gateway_session(tmp_path):
    port = free_port()
    command = [*RAW_SERVER, "--record", str(tmp_path / "received-a.jsonl")]
    config = tmp_path / "gw.toml"
    config.write_text(
        CONFIG
        + f'[gateway]\ntransport = "http"\nport = {port}\n'
        + f'[[gateway.tokens]]\ntoken = "{TOKEN}"\nprincipal = "alice"\n'
        + f"[servers.a]\ncommand = {json.dumps(command)}\n"
    )
    with http_gateway(config, port, tmp_path / "audit.jsonl") as url:
        session = HttpSession(url)
        status, _ = await session.post({"id": 1, "method": "initialize", "params": INITIALIZE})
        assert status == 200
        await session.post({"method": "notifications/initialized"})
        bad = [
            {"method": "notifications/cancelled", "params": {"requestId": [1]}},
            {"method": "notifications/cancelled", "params": {"requestId": {"a": 1}}},
            {"id": True, "method": "tools/call", "params": {"name": "a__delete_everything", "arguments": {}}},
            {"method": "tools/call", "params": {"name": "a__delete_everything", "arguments": {}}},
            {"id": 2, "method": "ping", "params": {"_meta": [1]}},
        ]
        for message in bad:
            status, _ = await session.post(message)
            assert status in (200, 202, 400)
        for request_id in (3, 4):
            params = {"name": "a__echo", "arguments": {"text": f"alive {request_id}"}}
            status, replies = await session.post({"id": request_id, "method": "tools/call", "params": params})
            assert status == 200
            assert replies[-1]["result"]["content"][0]["text"] == f"Echo: alive {request_id}"
    calls = [m for m in received(tmp_path / "received-a.jsonl") if m.get("method") == "tools/call"]
    assert [m["params"]["name"] for m in calls] == ["echo", "echo"]


async def test_sigint_stops_the_http_gateway_and_every_sessions_servers(tmp_path):
    port = free_port()
    config = tmp_path / "gw.toml"
    servers = "".join(
        f"[servers.{name}]\ncommand = {json.dumps([*RAW_SERVER, '--ignore-eof'])}\n" for name in ("a", "b")
    )
    config.write_text(
        CONFIG
        + f'[gateway]\ntransport = "http"\nport = {port}\n'
        + f'[[gateway.tokens]]\ntoken = "{TOKEN}"\nprincipal = "alice"\n'
        + servers
    )
    command = [sys.executable, "-m", "firewall", "serve", "--config", str(config)]
    async with raw_process(command) as gateway:
        session = HttpSession(f"http://127.0.0.1:{port}/mcp")
        with anyio.fail_after(20):
            while True:
                try:
                    status, _ = await session.post({"id": 1, "method": "initialize", "params": INITIALIZE})
                    break
                except httpx.TransportError:
                    await anyio.sleep(0.1)
        assert status == 200
        await signal_leaves_nothing_behind(gateway, signal.SIGINT, servers=2)

"""The gateway's HTTP front refuses misaddressed and session-less requests before any session exists.

A refused request must not open a session or launch a server: with a small session limit, a
handful of them would otherwise lock legitimate clients out (503) until the idle timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from feature_suite import everything_command
from gateway import TOKEN, free_port, http_gateway, toml_list
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from test_through_firewall import INIT

from firewall.proxy.sdk import create_mcp_http_client

pytestmark = pytest.mark.anyio

TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "Authorization": f"Bearer {TOKEN}",
}


class Gateway:
    """A running `mcp-firewall serve` HTTP front (max_sessions = 2) over one stdio server."""

    def __init__(self, url: str, port: int, process: psutil.Process) -> None:
        self.url, self.port, self.process = url, port, process

    def servers(self) -> int:
        """How many processes the gateway has launched (and not yet reaped)."""
        return len(self.process.children(recursive=True))

    async def request(
        self, method: str, body: Any = None, *, content: bytes | None = None, **headers: str
    ) -> httpx.Response:
        """One request to the front with the bearer token and JSON headers, overridden by `headers`."""
        merged = {**HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.request(method, self.url, json=body, content=content, headers=merged)

    async def call_echo(self) -> str:
        """A legitimate client: initialize, then call the server's echo tool."""
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            create_mcp_http_client(headers=headers) as http,
            Client(streamable_http_client(self.url, http_client=http), mode="legacy") as client,
        ):
            result = await client.call_tool("local__echo", {"text": "still served"})
        return result.content[0].text  # type: ignore[union-attr]


def _gateway_process(config: Path) -> psutil.Process:
    (process,) = [p for p in psutil.Process().children() if str(config) in p.cmdline()]
    return process


@contextlib.contextmanager
def running_gateway(directory: Path, max_sessions: int) -> Iterator[Gateway]:
    """The gateway under test; `http_gateway` kills it (with timeouts) on the way out."""
    config, port = directory / "gw.toml", free_port()
    config.write_text(
        "[provenance.servers.local]\ntrust = 'trusted'\n[detect]\nclassifier = 'off'\n"
        f"[gateway]\ntransport = 'http'\nport = {port}\nmax_sessions = {max_sessions}\n"
        f"[[gateway.tokens]]\ntoken = '{TOKEN}'\nprincipal = 'alice'\n"
        f"[servers.local]\ncommand = {toml_list(everything_command())}\n"
    )
    with http_gateway(config, port, directory / "audit.jsonl") as url:
        yield Gateway(url, port, _gateway_process(config))


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    """A fresh gateway with room for two sessions."""
    with running_gateway(tmp_path, max_sessions=2) as running:
        yield running


@pytest.fixture(scope="module")
def shared_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """One gateway for the header tests, which each open at most one session."""
    with running_gateway(tmp_path_factory.mktemp("gateway"), max_sessions=64) as running:
        yield running


def _steady_count(gateway: Gateway, seconds: float = 1.0) -> set[int]:
    """The gateway's process counts seen over `seconds` (servers are launched asynchronously)."""
    seen, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.add(gateway.servers())
        time.sleep(0.05)
    return seen


REJECTED = {
    "bad host": ("POST", INIT, {"Host": "evil.example:{port}"}, 421),
    "evil origin": ("POST", INIT, {"Origin": "http://evil.example"}, 403),
    "no session, not initialize": ("POST", TOOLS_LIST, {}, 400),
    "GET without session": ("GET", None, {"Accept": "text/event-stream"}, 400),
    "DELETE without session": ("DELETE", None, {}, 400),
}


@pytest.mark.parametrize("kind", REJECTED)
async def test_rejected_requests_open_no_session_and_launch_no_server(kind: str, gateway: Gateway) -> None:
    method, body, headers, status = REJECTED[kind]
    headers = {k: v.format(port=gateway.port) for k, v in headers.items()}
    before = gateway.servers()
    for _ in range(4):  # twice max_sessions
        response = await gateway.request(method, body, **headers)
        assert response.status_code == status, response.text
    assert _steady_count(gateway) == {before}
    # Both session slots are still free: a legitimate client initializes and calls a tool.
    assert await gateway.call_echo() == "still served"


async def test_session_less_refusals_carry_a_json_rpc_error(gateway: Gateway) -> None:
    response = await gateway.request("POST", TOOLS_LIST)
    assert response.status_code == 400
    error = response.json()
    assert (
        error["jsonrpc"] == "2.0" and error["id"] is None and "session" in error["error"]["message"].lower()
    )
    unparsable = await gateway.request("POST", content=b"{not json")
    assert unparsable.status_code == 400 and unparsable.json()["error"]["code"] == -32700


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}@evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example:{port}",
        "localhost:{port}/mcp",
        "127.0.0.1:notaport",
        "127.0.0.1:99999",
        "127.0.0.1:{port}:1",
    ],
)
async def test_host_must_match_exactly(host: str, shared_gateway: Gateway) -> None:
    before = shared_gateway.servers()
    response = await shared_gateway.request("POST", INIT, Host=host.format(port=shared_gateway.port))
    assert response.status_code == 421
    assert _steady_count(shared_gateway, 0.3) == {before}


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}", "127.0.0.1"]
)
async def test_loopback_hosts_are_accepted(host: str, shared_gateway: Gateway) -> None:
    response = await shared_gateway.request("POST", INIT, Host=host.format(port=shared_gateway.port))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "origin, host",
    [
        ("http://127.0.0.1:{port}", "127.0.0.1:{port}"),  # same origin
        ("http://localhost:{port}", "localhost:{port}"),  # same origin
        ("http://localhost:{port}", "127.0.0.1:{port}"),  # loopback on the gateway's port
        ("http://[::1]:{port}", "127.0.0.1:{port}"),
    ],
)
async def test_same_origin_and_loopback_origins_are_accepted(
    origin: str, host: str, shared_gateway: Gateway
) -> None:
    port = shared_gateway.port
    opened = await shared_gateway.request(
        "POST", INIT, Origin=origin.format(port=port), Host=host.format(port=port)
    )
    assert opened.status_code == 200, opened.text
    session = opened.headers["mcp-session-id"]
    listed = await shared_gateway.request(
        "POST",
        TOOLS_LIST,
        Origin=origin.format(port=port),
        Host=host.format(port=port),
        mcp_session_id=session,
    )
    assert listed.status_code == 200 and "local__echo" in listed.text


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://127.0.0.1:{port}.evil.example",
        "http://127.0.0.1:{other}",  # loopback, but another port (another local web app)
        "null",
        "http://127.0.0.1:{port}/path",
    ],
)
async def test_foreign_origins_are_refused_even_within_a_session(
    origin: str, shared_gateway: Gateway
) -> None:
    opened = await shared_gateway.request("POST", INIT)
    session = opened.headers["mcp-session-id"]
    origin = origin.format(port=shared_gateway.port, other=shared_gateway.port + 1)
    listed = await shared_gateway.request("POST", TOOLS_LIST, Origin=origin, mcp_session_id=session)
    assert listed.status_code == 403

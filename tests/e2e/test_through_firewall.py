"""The full feature suite through the real firewall: `wrap` over stdio, `serve` over stdio and HTTP.

Every client is the real MCP SDK client, every server the real SDK everything server, every
firewall a real `mcp-firewall` subprocess. The server's record file proves what reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from feature_suite import (
    everything_command,
    everything_http,
    exercise_all_features,
    read_record,
    recorded_methods,
    tool_calls,
)
from gateway import OTHER_TOKEN, TOKEN, firewall_args, free_port, http_gateway, namespaced, toml_list
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from test_direct import assert_legacy, assert_modern

from firewall.proxy.sdk import create_mcp_http_client

pytestmark = pytest.mark.anyio


def audit_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# The transparency tests are about the relay, not the policy or the classifier: the test server is
# the test's own, so its content is labelled trusted and the classifier is off (the baseline pack
# and the deterministic detectors still run; see the policy and detection tests).
TRUSTED = "[provenance.servers.{name}]\ntrust = 'trusted'\n[detect]\nclassifier = 'off'\n"


def wrapped(tmp_path: Path, *, config: str = "") -> tuple[StdioServerParameters, Path, Path]:
    record, audit, config_file = tmp_path / "record.jsonl", tmp_path / "audit.jsonl", tmp_path / "fw.toml"
    config_file.write_text(TRUSTED.format(name="everything") + config)
    args = firewall_args(
        "wrap", "--config", str(config_file), "--audit-log", str(audit), "--name", "everything"
    )
    params = StdioServerParameters(
        command=args[0], args=[*args[1:], "--", *everything_command(record=record)]
    )
    return params, record, audit


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_wrap_is_transparent_for_every_feature_in_both_eras(mode: str, tmp_path: Path) -> None:
    params, record, audit = wrapped(tmp_path)
    report = await exercise_all_features(params, mode=mode)
    records = read_record(record)
    if mode == "legacy":
        assert_legacy(report, records)
    else:
        assert_modern(report, records, cancel_frame=True)
    decisions = audit_records(audit)
    # The tool the suite adds mid-session is asked about (a tool that appears after the first list
    # is a change; the suite's person approves). Over 2026-07-28 the question is a round trip of its
    # own (input_required), recorded as a pending ask; the retried call is then allowed.
    asked = [d for d in decisions if d["decision"] == "ask"]
    assert all(d["rule_ids"] == ["baseline.tool_added"] for d in asked), asked
    assert report.approval_questions and all("dynamic_" in q for q in report.approval_questions)
    calls = [d for d in decisions if d["kind"] == "tool_call" and d["decision"] != "ask"]
    # One audit record per tools/call, and every call the firewall allowed reached the server.
    assert len(calls) == recorded_methods(records).count("tools/call")
    assert {d["decision"] for d in decisions} <= {"allow", "ask"}
    assert {d["kind"] for d in decisions} >= {"tool_call", "tool_result", "tool_list", "content"}


async def test_denied_call_never_reaches_the_server(tmp_path: Path) -> None:
    rule = "[[rules]]\nid = 'test.no-add'\ntool = 'add'\nmessage = 'adding is not allowed here'\n"
    params, record, audit = wrapped(tmp_path, config=rule)
    async with Client(params, mode="legacy") as client:
        denied = await client.call_tool("add", {"a": 1, "b": 2})
        allowed = await client.call_tool("echo", {"text": "fine"})
    assert denied.is_error and "test.no-add" in denied.content[0].text  # type: ignore[union-attr]
    assert not allowed.is_error
    records = read_record(record)
    assert tool_calls(records, "add") == [] and len(tool_calls(records, "echo")) == 1
    (decision,) = [d for d in audit_records(audit) if d.get("tool") == "add"]
    assert decision["decision"] == "deny" and decision["rule_ids"] == ["test.no-add"]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_gateway_stdio_front_serves_every_feature_namespaced(mode: str, tmp_path: Path) -> None:
    record, audit = tmp_path / "record.jsonl", tmp_path / "audit.jsonl"
    config = tmp_path / "gw.toml"
    config.write_text(
        TRUSTED.format(name="everything")
        + f"[servers.everything]\ncommand = {toml_list(everything_command(record=record))}\n"
    )
    args = firewall_args("serve", "--config", str(config), "--audit-log", str(audit))
    report = await exercise_all_features(
        StdioServerParameters(command=args[0], args=args[1:]), mode=mode, ns=namespaced("everything")
    )
    # The gateway speaks the handshake era; an "auto" client falls back to it.
    assert_legacy(report, read_record(record))
    assert any(
        d["tool"] == "echo" and d["server"] == "everything" for d in audit_records(audit) if "tool" in d
    )


@pytest.fixture
def two_server_gateway(tmp_path: Path):
    """A gateway's HTTP front over a stdio server ("local") and a streamable-HTTP server ("remote")."""
    local_record, remote_record = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    audit, config, port = tmp_path / "audit.jsonl", tmp_path / "gw.toml", free_port()
    with everything_http(record=remote_record) as remote_url:
        config.write_text(
            TRUSTED.format(name="local")
            + "[provenance.servers.remote]\ntrust = 'trusted'\n"
            + f"[gateway]\ntransport = 'http'\nport = {port}\n"
            f"[[gateway.tokens]]\ntoken = '{TOKEN}'\nprincipal = 'alice'\n"
            f"[[gateway.tokens]]\ntoken = '{OTHER_TOKEN}'\nprincipal = 'bob'\n"
            f"[servers.local]\ncommand = {toml_list(everything_command(record=local_record))}\n"
            f"[servers.remote]\nurl = '{remote_url}'\n"
        )
        with http_gateway(config, port, audit) as url:
            yield url, local_record, remote_record, audit


def authorised(url: str, token: str = TOKEN):
    return create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_gateway_http_front_serves_every_feature_of_both_servers(mode: str, two_server_gateway) -> None:
    url, local_record, remote_record, audit = two_server_gateway
    for server, record in (("local", local_record), ("remote", remote_record)):
        async with authorised(url) as http:
            report = await exercise_all_features(
                streamable_http_client(url, http_client=http), mode=mode, ns=namespaced(server)
            )
        assert_legacy(report, read_record(record))
        other = namespaced("remote" if server == "local" else "local")
        assert other.tool("echo") in report.tools  # one merged list across both servers
    decisions = audit_records(audit)
    assert {d["principal"] for d in decisions} == {"alice"}
    sessions_per_server = {d["server"]: set() for d in decisions}
    for d in decisions:
        sessions_per_server[d["server"]].add(d["session"])
    # Each client session spans both servers: the same session ids appear for both.
    assert sessions_per_server["local"] == sessions_per_server["remote"]


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
JSON_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "Authorization": f"Bearer {TOKEN}",
}


async def test_gateway_http_front_requires_a_valid_bearer_token(two_server_gateway) -> None:
    url, *_ = two_server_gateway
    headers = {k: v for k, v in JSON_HEADERS.items() if k != "Authorization"}
    async with httpx2.AsyncClient() as http:
        missing = await http.post(url, json=INIT, headers=headers)
        wrong = await http.post(url, json=INIT, headers={**headers, "Authorization": "Bearer not-a-token"})
        assert missing.status_code == wrong.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        opened = await http.post(url, json=INIT, headers=JSON_HEADERS)
        assert opened.status_code == 200
        session = opened.headers["mcp-session-id"]
        # Another principal's token cannot use alice's session.
        stolen = await http.post(
            url,
            json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            headers={**headers, "Authorization": f"Bearer {OTHER_TOKEN}", "mcp-session-id": session},
        )
        assert stolen.status_code == 404


async def test_gateway_refuses_unknown_tools_and_servers_without_forwarding(two_server_gateway) -> None:
    url, local_record, remote_record, _ = two_server_gateway
    async with (
        authorised(url) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        for name in ("local__no_such_tool", "nowhere__echo", "echo"):
            result = await client.call_tool(name, {})
            assert result.is_error and "firewall.unknown_tool" in result.content[0].text  # type: ignore[union-attr]
    for record in (local_record, remote_record):
        assert "tools/call" not in recorded_methods(read_record(record))


async def test_gateway_keeps_serving_when_one_server_crashes(tmp_path: Path) -> None:
    config = tmp_path / "gw.toml"
    config.write_text(
        f"[servers.fragile]\ncommand = {toml_list(everything_command())}\n"
        f"[servers.steady]\ncommand = {toml_list(everything_command())}\n"
        "[servers.broken]\ncommand = ['/nonexistent/mcp-server']\n"
    )
    args = firewall_args("serve", "--config", str(config))
    async with Client(StdioServerParameters(command=args[0], args=args[1:]), mode="legacy") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "fragile__crash" in names and "steady__echo" in names
        assert not any(name.startswith("broken__") for name in names)  # could not start: marked down
        with pytest.raises(Exception, match="exited"):
            await client.call_tool("fragile__crash", {})
        result = await client.call_tool("steady__echo", {"text": "still serving"})
        assert result.content[0].text == "still serving"  # type: ignore[union-attr]
        with pytest.raises(Exception, match="down"):
            await client.call_tool("fragile__echo", {"text": "x"})
        names = {t.name for t in (await client.list_tools()).tools}
        assert not any(name.startswith("fragile__") for name in names)


async def test_gateway_http_front_refuses_oversized_bodies(two_server_gateway) -> None:
    url, *_ = two_server_gateway
    headers = {"Accept": "application/json, text/event-stream", "Authorization": f"Bearer {TOKEN}"}
    huge = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    async with httpx2.AsyncClient() as http:
        response = await http.post(url, content=huge, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413


async def test_gateway_http_sessions_are_bounded_in_number_and_idle_time(tmp_path: Path) -> None:
    config, port = tmp_path / "gw.toml", free_port()
    config.write_text(
        f"[gateway]\ntransport = 'http'\nport = {port}\nmax_sessions = 1\nsession_idle_seconds = 0.5\n"
        f"[[gateway.tokens]]\ntoken = '{TOKEN}'\nprincipal = 'alice'\n"
        f"[servers.local]\ncommand = {toml_list(everything_command())}\n"
    )
    with http_gateway(config, port, tmp_path / "audit.jsonl") as url:
        async with httpx2.AsyncClient() as http:
            first = await http.post(url, json=INIT, headers=JSON_HEADERS)
            assert first.status_code == 200
            assert (await http.post(url, json=INIT, headers=JSON_HEADERS)).status_code == 503
            # With no request in flight for session_idle_seconds the session expires (the passage
            # of time is what is under test here, so this test waits on the clock).
            await anyio.sleep(1.5)
            ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
            session = {**JSON_HEADERS, "mcp-session-id": first.headers["mcp-session-id"]}
            assert (await http.post(url, json=ping, headers=session)).status_code == 404
            assert (await http.post(url, json=INIT, headers=JSON_HEADERS)).status_code == 200

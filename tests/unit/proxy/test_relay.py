"""The relay over in-memory streams with scripted peers: routing, denial, cancellation, faults.

These are unit tests of one layer (no processes); the end-to-end tests under tests/e2e drive the
same relay through real SDK clients and servers over stdio and HTTP.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp.shared.message import SessionMessage
from mcp_types import (
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError

from firewall.audit import AuditLog
from firewall.config import ProvenanceConfig, Rule
from firewall.core.events import SessionInfo
from firewall.core.pipeline import Pipeline
from firewall.guard.firewall import Firewall
from firewall.guard.stages import RuleStage, UnknownToolStage
from firewall.provenance.labeler import Labeler
from firewall.proxy import wire
from firewall.proxy.link import Link
from firewall.proxy.naming import Naming
from firewall.proxy.relay import Relay

pytestmark = pytest.mark.anyio


class FakeServer:
    """Answers tools/list and tools/call (echo) and records every message it received."""

    def __init__(self, name: str, tools: list[str]) -> None:
        self.name, self.tools = name, tools
        self.received: list[Any] = []
        self.to_relay, self.from_server = anyio.create_memory_object_stream[SessionMessage | Exception](100)
        self.to_server, self.from_relay = anyio.create_memory_object_stream[SessionMessage](100)

    def link(self) -> Link:
        return Link(self.name, self.from_server, self.to_server)

    def close(self) -> None:
        for stream in (self.to_relay, self.from_server, self.to_server, self.from_relay):
            stream.close()

    async def run(self) -> None:
        async for item in self.from_relay:
            message = item.message
            self.received.append(message)
            if not isinstance(message, JSONRPCRequest):
                continue
            if message.method == "tools/list":
                result: dict[str, Any] = {
                    "tools": [{"name": t, "inputSchema": {"type": "object"}} for t in self.tools]
                }
            elif message.method == "tools/call":
                if message.params["name"] == "hang":
                    continue
                result = {"content": [{"type": "text", "text": f"{self.name}:{message.params['arguments']}"}]}
            else:
                result = {}
            await self.to_relay.send(
                SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=message.id, result=result))
            )

    def calls(self) -> list[str]:
        return [
            m.params["name"]
            for m in self.received
            if isinstance(m, JSONRPCRequest) and m.method == "tools/call"
        ]


class Harness:
    def __init__(self, relay: Relay, to_relay: Any, from_relay: Any) -> None:
        self.relay, self.to_relay, self.from_relay = relay, to_relay, from_relay

    async def send(self, message: Any) -> None:
        await self.to_relay.send(SessionMessage(message) if not isinstance(message, Exception) else message)

    async def call(self, request_id: int, name: str, arguments: dict[str, Any] | None = None) -> None:
        params = {"name": name, "arguments": arguments or {}}
        await self.send(JSONRPCRequest(jsonrpc="2.0", id=request_id, method="tools/call", params=params))

    async def receive(self) -> Any:
        with anyio.fail_after(5):
            return (await self.from_relay.receive()).message


@asynccontextmanager
async def running(
    servers: list[FakeServer], *stages: Any, gateway: bool = False, audit: AuditLog | None = None
):
    audit = AuditLog(None) if audit is None else audit
    firewall = Firewall(Pipeline([UnknownToolStage(), *stages]), audit, Labeler(ProvenanceConfig()))
    to_relay, client_receive = anyio.create_memory_object_stream[SessionMessage | Exception](100)
    client_send, from_relay = anyio.create_memory_object_stream[SessionMessage](100)
    naming = Naming(frozenset(s.name for s in servers)) if gateway else None
    relay = Relay(
        firewall.open_session(SessionInfo("s")),
        client_receive,
        client_send,
        {s.name: s.link() for s in servers},
        naming,
    )
    try:
        async with anyio.create_task_group() as tg:
            for server in servers:
                tg.start_soon(server.run)
            tg.start_soon(relay.run)
            yield Harness(relay, to_relay, from_relay)
            tg.cancel_scope.cancel()
    finally:
        for stream in (to_relay, client_receive, client_send, from_relay):
            stream.close()
        for server in servers:
            server.close()


DENY_SEND = RuleStage([Rule(id="rules.no_send", tool="send_*")])


async def test_denied_call_never_reaches_the_server_and_the_agent_gets_a_tool_error():
    server = FakeServer("mail", ["read", "send_mail"])
    async with running([server], DENY_SEND) as h:
        await h.call(1, "send_mail", {"to": "x"})
        reply = await h.receive()
        assert reply.id == 1 and reply.result["isError"] is True
        assert "rules.no_send" in reply.result["content"][0]["text"]
        await h.call(2, "read")
        assert (await h.receive()).result["content"][0]["text"] == "mail:{}"
    assert server.calls() == ["read"]


async def test_unknown_tool_is_refused_without_forwarding():
    server = FakeServer("mail", ["read"])
    async with running([server]) as h:
        await h.call("abc", "rm_rf", {})
        reply = await h.receive()
        assert reply.id == "abc" and "firewall.unknown_tool" in reply.result["content"][0]["text"]
    assert server.calls() == []


async def test_cancelled_while_deciding_is_never_forwarded():
    gate = anyio.Event()

    class Slow:
        name = "slow"

        async def decide(self, event, view):
            await gate.wait()
            return None

    server = FakeServer("mail", ["read"])
    async with running([server], Slow()) as h:
        await h.call(5, "read")
        await h.send(
            JSONRPCNotification(jsonrpc="2.0", method="notifications/cancelled", params={"requestId": 5})
        )
        await anyio.wait_all_tasks_blocked()
        gate.set()
        await h.call(6, "read")
        assert (await h.receive()).id == 6
    assert server.calls() == ["read"]  # only call 6


async def test_cancellation_of_a_forwarded_call_reaches_the_server_with_its_id():
    server = FakeServer("mail", ["hang"])
    async with running([server]) as h:
        await h.call(7, "hang")
        await anyio.wait_all_tasks_blocked()
        await h.send(
            JSONRPCNotification(jsonrpc="2.0", method="notifications/cancelled", params={"requestId": 7})
        )
        await anyio.wait_all_tasks_blocked()
    (call,) = [m for m in server.received if getattr(m, "method", "") == "tools/call"]
    (cancel,) = [m for m in server.received if getattr(m, "method", "") == "notifications/cancelled"]
    assert cancel.params["requestId"] == call.id


async def test_malformed_message_is_answered_with_its_id_and_serving_continues():
    server = FakeServer("mail", ["read"])
    async with running([server]) as h:
        try:  # what the SDK's stdio transport hands over for a bad line
            jsonrpc_message_adapter.validate_json('{"jsonrpc": "2.0", "id": 3, "method": 5}', by_name=False)
        except ValidationError as exc:
            await h.send(exc)
        reply = await h.receive()
        assert isinstance(reply, JSONRPCError) and reply.id == 3 and reply.error.code == wire.INVALID_REQUEST
        await h.call(4, "read")
        assert (await h.receive()).id == 4


async def test_server_crash_fails_pending_calls_and_ends_a_transparent_relay():
    server = FakeServer("mail", ["hang"])
    async with running([server]) as h:
        await h.call(1, "hang")
        await anyio.wait_all_tasks_blocked()
        server.to_relay.close()  # the server's stdout reached EOF
        reply = await h.receive()
        assert (
            isinstance(reply, JSONRPCError) and reply.id == 1 and reply.error.code == wire.SERVER_UNAVAILABLE
        )
        note = await h.receive()
        assert note.method == "notifications/message" and "exited" in note.params["data"]
    assert h.relay.server_down == "mail"


async def test_gateway_namespaces_merges_and_routes_by_prefix():
    mail, files = FakeServer("mail", ["read"]), FakeServer("files", ["read", "write"])
    async with running([mail, files], gateway=True) as h:
        await h.send(JSONRPCRequest(jsonrpc="2.0", id=1, method="tools/list"))
        names = sorted(t["name"] for t in (await h.receive()).result["tools"])
        assert names == ["files__read", "files__write", "mail__read"]
        await h.call(2, "files__read", {"p": 1})
        assert (await h.receive()).result["content"][0]["text"] == "files:{'p': 1}"
        await h.call(3, "nowhere__read")
        assert "unknown tool" in (await h.receive()).result["content"][0]["text"]
    assert files.calls() == ["read"] and mail.calls() == []


async def test_gateway_keeps_serving_when_one_server_dies():
    mail, files = FakeServer("mail", ["read"]), FakeServer("files", ["read"])
    async with running([mail, files], gateway=True) as h:
        mail.to_relay.close()
        changed = {(await h.receive()).method for _ in range(3)}
        assert changed == {f"notifications/{k}/list_changed" for k in ("tools", "prompts", "resources")}
        await h.call(1, "mail__read")
        assert (await h.receive()).error.code == wire.SERVER_UNAVAILABLE
        await h.call(2, "files__read")
        assert (await h.receive()).result["content"][0]["text"] == "files:{}"


async def test_broken_reply_from_the_server_fails_only_that_call():
    server = FakeServer("mail", ["hang", "read"])
    async with running([server]) as h:
        await h.call(1, "hang")
        await anyio.wait_all_tasks_blocked()
        (call,) = [m for m in server.received if getattr(m, "method", "") == "tools/call"]
        try:  # the server answers with an envelope the SDK's transport cannot validate
            jsonrpc_message_adapter.validate_json(
                f'{{"jsonrpc": "2.0", "id": {call.id}, "result": 5}}', by_name=False
            )
        except ValidationError as exc:
            await server.to_relay.send(exc)
        reply = await h.receive()
        assert isinstance(reply, JSONRPCError) and reply.id == 1 and "server 'mail'" in reply.error.message
        await h.call(2, "read")
        assert (await h.receive()).result["content"][0]["text"] == "mail:{}"


async def test_an_unwritable_audit_log_fails_the_call_closed_and_serving_continues():
    class FullDisk(AuditLog):
        def decision(self, event, verdict, *, method, approval=None):
            if getattr(event, "tool", "") == "send_mail":
                raise OSError(28, "No space left on device")

    server = FakeServer("mail", ["read", "send_mail"])
    async with running([server], audit=FullDisk(None)) as h:
        await h.call(1, "send_mail", {"to": "x"})
        reply = await h.receive()
        assert isinstance(reply, JSONRPCError) and reply.id == 1 and "No space left" in reply.error.message
        await h.call(2, "read")
        assert (await h.receive()).result["content"][0]["text"] == "mail:{}"
    assert server.calls() == ["read"]


async def test_gateway_drops_malformed_list_entries_and_keeps_the_rest():
    class Sloppy(FakeServer):
        async def run(self) -> None:
            async for item in self.from_relay:
                message = item.message
                result = {"tools": [{"name": "ok", "inputSchema": {}}, {"description": "no name"}, "junk"]}
                await self.to_relay.send(
                    SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=message.id, result=result))
                )

    async with running([Sloppy("odd", [])], gateway=True) as h:
        await h.send(JSONRPCRequest(jsonrpc="2.0", id=1, method="tools/list"))
        assert [t["name"] for t in (await h.receive()).result["tools"]] == ["odd__ok"]

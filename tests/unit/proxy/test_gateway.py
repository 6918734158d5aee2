"""firewall/proxy/gateway.py: routing by qualified name, fan-out, merging, renaming replies.

The gateway decides nothing: these tests hand it a `Parts` that records what it was asked to
decide, and links to scripted servers over in-memory streams.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
import pytest
from mcp.shared.message import SessionMessage
from mcp_types import (
    INVALID_PARAMS,
    UNSUPPORTED_PROTOCOL_VERSION,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCRequest,
    JSONRPCResponse,
)
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, KNOWN_PROTOCOL_VERSIONS

from firewall import __version__
from firewall.proxy import wire
from firewall.proxy.gateway import Forward, Gateway, merge_initialize
from firewall.proxy.link import Link
from firewall.proxy.naming import Naming

pytestmark = pytest.mark.anyio

Answer = Callable[[JSONRPCRequest], JSONRPCMessage | None]


@contextmanager
def links(*names: str) -> Iterator[dict[str, Link]]:
    """Links whose servers are never started (routing needs none)."""
    streams: list[Any] = []
    out: dict[str, Link] = {}
    for name in names:
        to_link, receive = anyio.create_memory_object_stream[SessionMessage | Exception](10)
        send, from_link = anyio.create_memory_object_stream[SessionMessage](10)
        streams += [to_link, receive, send, from_link]
        out[name] = Link(name, receive, send)
        out[name].from_link = from_link  # type: ignore[attr-defined]
    try:
        yield out
    finally:
        for stream in streams:
            stream.close()


@asynccontextmanager
async def gateway_of(answers: dict[str, Answer]) -> AsyncIterator[Gateway]:
    """A gateway whose servers answer with `answers` (settled on the link, as the relay does)."""
    with links(*answers) as by_name:

        async def serve(link: Link, answer: Answer) -> None:
            async for item in link.from_link:  # type: ignore[attr-defined]
                reply = answer(item.message) if isinstance(item.message, JSONRPCRequest) else None
                if reply is not None:
                    link.settle(item.message.id, reply)

        async with anyio.create_task_group() as tg:
            for name, answer in answers.items():
                tg.start_soon(serve, by_name[name], answer)
            with anyio.fail_after(5):
                yield Gateway(Naming(frozenset(answers)), by_name)
            tg.cancel_scope.cancel()


class Parts:
    """Shows each server's part as it is, or as `shown` says; records what it was asked."""

    def __init__(self, deny: frozenset[str] = frozenset()) -> None:
        self.deny = deny
        self.asked: list[tuple[str, Any]] = []

    async def shown_handshake(self, server: str, result: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(("initialize", server))
        return {k: v for k, v in result.items() if server not in self.deny or k != "instructions"}

    async def shown_lists(
        self, method: str, results: dict[str, list[dict[str, Any]]]
    ) -> dict[str, list[Any]]:
        self.asked.append((method, sorted(results)))
        return {server: items for server, items in results.items() if server not in self.deny}


def request(method: str, params: dict[str, Any] | None = None, request_id: int = 1) -> JSONRPCRequest:
    if params is None:
        return JSONRPCRequest(jsonrpc="2.0", id=request_id, method=method)
    return JSONRPCRequest(jsonrpc="2.0", id=request_id, method=method, params=params)


def result(value: dict[str, Any]) -> Answer:
    return lambda r: wire.response(r.id, value)


def fails(r: JSONRPCRequest) -> JSONRPCMessage:
    return wire.error(r.id, -32603, "broken")


# -- routing -----------------------------------------------------------------------------------


def test_the_handshake_lists_ping_and_log_level_are_fanned_out_and_nothing_else() -> None:
    with links("a") as by_name:
        gateway = Gateway(Naming(frozenset(by_name)), by_name)
        fanned = ["initialize", "ping", "logging/setLevel", "tools/list", "prompts/list"]
        fanned += ["resources/list", "resources/templates/list"]
        assert all(gateway.fans_out(m) for m in fanned)
        assert not any(gateway.fans_out(m) for m in ("tools/call", "prompts/get", "server/discover"))


def test_a_tool_name_routes_to_its_server_with_the_local_name() -> None:
    with links("mail", "files") as by_name:
        gateway = Gateway(Naming(frozenset(by_name)), by_name)
        assert gateway.route_tool("files__read") == (by_name["files"], "read")
        assert gateway.route_tool("nowhere__read") is None
        assert gateway.route_tool(["files__read"]) is None


@pytest.mark.parametrize(
    ("method", "params", "server", "forwarded"),
    [
        ("prompts/get", {"name": "mail__greet", "arguments": {}}, "mail", {"name": "greet", "arguments": {}}),
        ("resources/read", {"uri": "files+file:///a"}, "files", {"uri": "file:///a"}),
        ("resources/subscribe", {"uri": "files+file:///a"}, "files", {"uri": "file:///a"}),
        ("resources/unsubscribe", {"uri": "mail+mail://1"}, "mail", {"uri": "mail://1"}),
        (
            "completion/complete",
            {"ref": {"type": "ref/prompt", "name": "mail__greet"}, "argument": {"name": "x", "value": ""}},
            "mail",
            {"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "x", "value": ""}},
        ),
        (
            "completion/complete",
            {"ref": {"type": "ref/resource", "uri": "files+file:///{p}"}},
            "files",
            {"ref": {"type": "ref/resource", "uri": "file:///{p}"}},
        ),
    ],
)
def test_requests_route_by_the_name_or_uri_they_carry(
    method: str, params: dict[str, Any], server: str, forwarded: dict[str, Any]
) -> None:
    with links("mail", "files") as by_name:
        routed = Gateway(Naming(frozenset(by_name)), by_name).route(request(method, params))
        assert routed == Forward(by_name[server], forwarded)


@pytest.mark.parametrize(
    ("method", "params", "code", "message"),
    [
        ("prompts/get", {"name": "nowhere__greet"}, INVALID_PARAMS, "unknown name 'nowhere__greet'"),
        ("prompts/get", {"name": 5}, INVALID_PARAMS, "unknown name 5"),
        ("resources/read", {}, INVALID_PARAMS, "unknown uri None"),
        ("completion/complete", {"ref": "mail__greet"}, INVALID_PARAMS, "params.ref must be an object"),
        (
            "completion/complete",
            {"ref": {"type": "ref/prompt", "name": 1}},
            INVALID_PARAMS,
            "unknown completion ref",
        ),
        ("completion/complete", {}, INVALID_PARAMS, "unknown completion ref {}"),
        ("tasks/get", {"taskId": "t"}, wire.METHOD_NOT_FOUND, "cannot route method 'tasks/get'"),
    ],
)
def test_requests_that_name_no_server_are_answered_with_an_error(
    method: str, params: dict[str, Any], code: int, message: str
) -> None:
    with links("mail") as by_name:
        routed = Gateway(Naming(frozenset(by_name)), by_name).route(request(method, params, 9))
        assert isinstance(routed, JSONRPCError) and routed.id == 9
        assert routed.error.code == code and message in routed.error.message


def test_server_discover_is_refused_with_the_handshake_versions() -> None:
    with links("mail") as by_name:
        routed = Gateway(Naming(frozenset(by_name)), by_name).route(
            request("server/discover", {"protocolVersion": "2026-07-28"})
        )
        assert isinstance(routed, JSONRPCError) and routed.error.code == UNSUPPORTED_PROTOCOL_VERSION
        assert routed.error.data == {
            "supported": list(HANDSHAKE_PROTOCOL_VERSIONS),
            "requested": "2026-07-28",
        }


# -- fan-out -------------------------------------------------------------------------------------


async def test_initialize_merges_what_every_server_may_show() -> None:
    a = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}}, "instructions": "use a"}
    b = {"protocolVersion": "2025-06-18", "capabilities": {"prompts": {}}, "instructions": "secret"}
    parts = Parts(deny=frozenset({"b"}))
    async with gateway_of({"a": result(a), "b": result(b)}) as gateway:
        reply = await gateway.fan_out(request("initialize", {"protocolVersion": "2025-06-18"}), parts)
    assert isinstance(reply, JSONRPCResponse) and reply.result["instructions"] == "[a] use a"
    assert set(reply.result["capabilities"]) == {"tools", "prompts"}
    assert sorted(parts.asked) == [("initialize", "a"), ("initialize", "b")]


async def test_a_server_that_fails_initialize_is_down_and_left_out() -> None:
    async with gateway_of({"a": result({"protocolVersion": "2025-06-18"}), "b": fails}) as gateway:
        reply = await gateway.fan_out(request("initialize"), Parts())
        assert isinstance(reply, JSONRPCResponse) and not gateway.links["b"].up and gateway.links["a"].up
        pinged = await gateway.fan_out(request("ping", request_id=2), Parts())
    assert isinstance(pinged, JSONRPCResponse) and pinged.id == 2 and pinged.result == {}


async def test_initialize_with_no_server_answering_is_an_error() -> None:
    async with gateway_of({"a": fails}) as gateway:
        reply = await gateway.fan_out(request("initialize"), Parts())
    assert isinstance(reply, JSONRPCError) and reply.error.code == wire.SERVER_UNAVAILABLE


async def test_lists_merge_every_shown_page_with_qualified_names() -> None:
    tools = {"tools": [{"name": "read"}, {"description": "no name"}, "junk"]}
    async with gateway_of({"a": result(tools), "b": result(tools), "c": fails}) as gateway:
        parts = Parts(deny=frozenset({"b"}))
        reply = await gateway.fan_out(request("tools/list"), parts)
        # A server whose list fails is left out of the merge, but stays up (only initialize downs it).
        assert gateway.links["c"].up
    assert isinstance(reply, JSONRPCResponse) and reply.result == {"tools": [{"name": "a__read"}]}
    assert parts.asked == [("tools/list", ["a", "b"])]


async def test_list_requests_carry_the_agents_meta_without_its_progress_token() -> None:
    seen: list[Any] = []

    def answer(r: JSONRPCRequest) -> JSONRPCMessage:
        seen.append(r.params)
        return wire.response(r.id, {"resources": []})

    async with gateway_of({"a": answer}) as gateway:
        params = {"_meta": {"progressToken": 1, "k": "v"}}
        await gateway.fan_out(request("resources/list", params), Parts())
    assert seen == [{"_meta": {"k": "v"}}]


def test_every_kind_of_list_entry_is_renamed_by_its_own_field() -> None:
    with links("s") as by_name:
        gateway = Gateway(Naming(frozenset(by_name)), by_name)
        shown = {"s": [{"name": "p"}, {"uri": "file:///x"}]}
        assert gateway.merge_lists("prompts/list", shown) == {"prompts": [{"name": "s__p"}]}
        assert gateway.merge_lists("resources/list", {"s": [{"uri": "file:///x"}]}) == {
            "resources": [{"uri": "s+file:///x"}]
        }
        templates = gateway.merge_lists("resources/templates/list", {"s": [{"uriTemplate": "file:///{p}"}]})
        assert templates == {"resourceTemplates": [{"uriTemplate": "s+file:///{p}"}]}


# -- replies -------------------------------------------------------------------------------------


def test_resource_contents_and_updates_name_the_qualified_uri() -> None:
    with links("files") as by_name:
        gateway = Gateway(Naming(frozenset(by_name)), by_name)
        read = {"contents": [{"uri": "file:///a", "text": "x"}, {"text": "no uri"}, "odd"]}
        assert gateway.namespaced_contents("files", read) == {
            "contents": [{"uri": "files+file:///a", "text": "x"}, {"text": "no uri"}, "odd"]
        }
        assert gateway.namespaced_contents("files", {}) == {"contents": []}
        updated = wire.notification("notifications/resources/updated", {"uri": "file:///a"})
        assert gateway.namespaced_notification("files", updated).params == {"uri": "files+file:///a"}
        other = wire.notification("notifications/message", {"uri": "file:///a"})
        assert gateway.namespaced_notification("files", other) is other
        bare = wire.notification("notifications/resources/updated", None)
        assert gateway.namespaced_notification("files", bare) is bare


def test_when_a_server_goes_every_merged_list_has_changed() -> None:
    with links("a") as by_name:
        notices = Gateway(Naming(frozenset(by_name)), by_name).lists_changed()
    assert [n.method for n in notices] == [
        f"notifications/{k}/list_changed" for k in ("tools", "prompts", "resources")
    ]


def test_the_merged_handshake_takes_the_oldest_known_version_and_the_union_of_capabilities() -> None:
    old, new = KNOWN_PROTOCOL_VERSIONS[0], KNOWN_PROTOCOL_VERSIONS[-1]
    merged = merge_initialize(
        {
            "a": {
                "protocolVersion": new,
                "capabilities": {"tools": {"listChanged": True}, "logging": {"x": 1}, "resources": "odd"},
            },
            "b": {
                "protocolVersion": old,
                "capabilities": {"resources": {"subscribe": True, "listChanged": False}, "completions": {}},
                "instructions": "b's",
            },
        }
    )
    assert merged == {
        "protocolVersion": old,
        "capabilities": {
            "tools": {"listChanged": True},
            "logging": {},
            "resources": {"subscribe": True},
            "completions": {},
        },
        "serverInfo": {"name": "mcp-firewall-gateway", "version": __version__},
        "instructions": "[b] b's",
    }


def test_with_no_known_version_the_first_servers_is_taken() -> None:
    merged = merge_initialize({"a": {"protocolVersion": "1999-01-01"}, "b": {}})
    assert merged["protocolVersion"] == "1999-01-01" and "instructions" not in merged

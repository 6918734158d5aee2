"""firewall/proxy/link.py: one server connection over in-memory streams, with a scripted server.

The firewall's own requests (catalog fetch, paging, timeouts, error replies, a server that goes),
the bookkeeping of requests in flight, and the _meta the firewall's own requests carry.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCMessage, JSONRPCNotification, JSONRPCRequest

from firewall.core.errors import ServerDown
from firewall.guard.state import ToolCatalog
from firewall.proxy import wire
from firewall.proxy.link import LISTS, MAX_LIST_PAGES, Link, Pending, own_request_meta

pytestmark = pytest.mark.anyio

Answer = Callable[[JSONRPCRequest], JSONRPCMessage | None]
"""What the scripted server replies to a request (None: no reply)."""


class Server:
    """The far end of a Link: records what it receives and answers requests with `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.received: list[JSONRPCMessage] = []
        self.to_link, receive = anyio.create_memory_object_stream[SessionMessage | Exception](100)
        send, self.from_link = anyio.create_memory_object_stream[SessionMessage](100)
        self.link = Link("srv", receive, send)
        self._streams = (self.to_link, receive, send, self.from_link)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for stream in self._streams:
            stream.close()

    async def serve(self) -> None:
        """Hand every reply to the link, as the relay's pump would (link.settle)."""
        async for item in self.from_link:
            self.received.append(item.message)
            if isinstance(item.message, JSONRPCRequest):
                reply = self.answer(item.message)
                if reply is not None:
                    self.link.settle(item.message.id, reply)

    def requests(self, method: str) -> list[JSONRPCRequest]:
        return [m for m in self.received if isinstance(m, JSONRPCRequest) and m.method == method]


@asynccontextmanager
async def serving(answer: Answer, *, timeout: float = math.inf) -> AsyncIterator[Server]:
    with Server(answer) as server:
        server.link.timeout = timeout
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve)
            with anyio.fail_after(5):
                yield server
            tg.cancel_scope.cancel()


def result(value: dict[str, Any]) -> Answer:
    return lambda request: wire.response(request.id, value)


def pages(*tools: list[str], bad: Any = None) -> Answer:
    """tools/list in pages, the cursor naming the next page's index."""

    def answer(request: JSONRPCRequest) -> JSONRPCMessage:
        index = int((request.params or {}).get("cursor") or 0)
        page: dict[str, Any] = {"tools": [{"name": n, "inputSchema": {}} for n in tools[index]]}
        if bad is not None:
            page["tools"] = bad
        if index + 1 < len(tools):
            page["nextCursor"] = str(index + 1)
        return wire.response(request.id, page)

    return answer


async def test_the_firewalls_own_request_gets_its_result() -> None:
    async with serving(result({"ok": True})) as server:
        assert await server.link.request("ping", None) == {"ok": True}
    (ping,) = server.requests("ping")
    assert ping.id == 1 and ping.params is None and server.link.pending == {}


async def test_downstream_ids_are_fresh_per_request() -> None:
    async with serving(result({})) as server:
        await server.link.request("ping", None)
        await server.link.request("ping", {"a": 1})
    assert [r.id for r in server.requests("ping")] == [1, 2]


async def test_an_error_reply_raises_server_down_with_the_servers_message() -> None:
    async with serving(lambda r: wire.error(r.id, -32601, "no such method")) as server:
        with pytest.raises(ServerDown, match="answered ping with error: no such method"):
            await server.link.request("ping", None)


async def test_an_exception_as_the_reply_is_raised() -> None:
    async with serving(lambda r: None) as server, anyio.create_task_group() as tg:

        async def fail_it() -> None:
            await anyio.wait_all_tasks_blocked()
            server.link.settle(1, ServerDown("bad reply"))

        tg.start_soon(fail_it)
        with pytest.raises(ServerDown, match="bad reply"):
            await server.link.request("ping", None)


async def test_an_unanswered_request_times_out_is_cancelled_and_forgotten() -> None:
    async with serving(lambda r: None, timeout=0.05) as server:
        with pytest.raises(ServerDown, match=r"did not answer ping within 0\.05 s"):
            await server.link.request("ping", None)
        await anyio.wait_all_tasks_blocked()
    (cancel,) = [m for m in server.received if isinstance(m, JSONRPCNotification)]
    assert cancel.method == "notifications/cancelled" and cancel.params == {
        "requestId": 1,
        "reason": "mcp-firewall: request timed out",
    }
    assert server.link.pending == {}


async def test_a_link_that_is_down_sends_nothing() -> None:
    async with serving(result({})) as server:
        server.link.up = False
        with pytest.raises(ServerDown, match="is down"):
            await server.link.request("ping", None)
        await server.link.abandon(1, "gone")  # best effort: nothing is sent to a link that is down
    assert server.received == [] and server.link.pending == {}


async def test_a_closed_stream_marks_the_link_down_and_forgets_the_request() -> None:
    with Server(result({})) as server:
        await server.from_link.aclose()
        pending = Pending("tools/call", client_id=7)
        downstream_id = server.link.register(pending)
        with pytest.raises(ServerDown, match="is down"):
            await server.link.send_request(downstream_id, pending)
        assert server.link.up is False and server.link.pending == {}


async def test_register_sets_a_deadline_and_progress_extends_it() -> None:
    with Server(result({})) as server:
        link = server.link
        link.timeout = 10.0
        pending = Pending("tools/call", client_id=1)
        before = anyio.current_time()
        downstream_id = link.register(pending)
        assert link.pending == {downstream_id: pending}
        assert before + 10.0 <= pending.deadline <= anyio.current_time() + 10.0
        pending.deadline = 0.0
        link.extend(pending)
        assert pending.deadline >= before + 10.0


async def test_every_page_of_a_list_is_followed_with_the_agents_meta() -> None:
    async with serving(pages(["a", "b"], ["c"])) as server:
        tools = await server.link.list_all("tools/list", {"k": "v"})
    assert [t["name"] for t in tools] == ["a", "b", "c"]
    assert [r.params for r in server.requests("tools/list")] == [
        {"_meta": {"k": "v"}},
        {"_meta": {"k": "v"}, "cursor": "1"},
    ]


async def test_a_list_page_that_is_not_a_list_is_the_servers_fault() -> None:
    async with serving(pages(["a"], bad={"not": "a list"})) as server:
        with pytest.raises(ServerDown, match="tools that is not a list"):
            await server.link.list_all("tools/list", None)


async def test_a_cursor_that_never_ends_stops_after_max_list_pages() -> None:
    endless = lambda r: wire.response(r.id, {"prompts": [{"name": "p"}], "nextCursor": "again"})  # noqa: E731
    async with serving(endless) as server:
        prompts = await server.link.list_all("prompts/list", None)
    assert len(prompts) == MAX_LIST_PAGES == len(server.requests("prompts/list"))


def test_every_list_method_has_its_result_key() -> None:
    assert LISTS == {
        "tools/list": "tools",
        "prompts/list": "prompts",
        "resources/list": "resources",
        "resources/templates/list": "resourceTemplates",
    }


async def test_the_tool_catalog_is_fetched_into_the_sessions_once_until_it_is_dropped() -> None:
    catalog = ToolCatalog()
    async with serving(pages(["a"])) as server:
        first = await server.link.tool_catalog(catalog, None)
        assert first is not None and set(first) == {"a"} and catalog.of(server.link.name) is first
        assert await server.link.tool_catalog(catalog, None) is first
        catalog.forget(server.link.name)  # what tools/list_changed does
        await server.link.tool_catalog(catalog, None)
    assert len(server.requests("tools/list")) == 2


async def test_a_catalog_the_session_has_already_is_not_fetched() -> None:
    catalog = ToolCatalog()
    async with serving(pages(["a"])) as server:
        catalog.replace(server.link.name, [{"name": "listed"}])
        known = await server.link.tool_catalog(catalog, None)
        assert known is not None and set(known) == {"listed"}
    assert server.requests("tools/list") == []


async def test_a_catalog_that_cannot_be_fetched_is_none_and_asked_again_later() -> None:
    catalog = ToolCatalog()
    async with serving(lambda r: wire.error(r.id, -32603, "broken")) as server:
        assert await server.link.tool_catalog(catalog, None) is None
        assert await server.link.tool_catalog(catalog, None) is None
    assert len(server.requests("tools/list")) == 2 and catalog.of(server.link.name) is None


async def test_settle_hands_back_the_request_a_reply_answers_once() -> None:
    with Server(result({})) as server:
        link = server.link
        pending = Pending("ping", client_id="agent-1")
        downstream_id = link.register(pending)
        reply = wire.response(downstream_id, {})
        assert link.settle("not-ours", reply) is None  # the firewall's downstream ids are integers
        assert link.settle(downstream_id + 1, reply) is None
        assert link.settle(downstream_id, reply) is pending
        assert link.settle(downstream_id, reply) is None


async def test_fail_all_wakes_the_firewalls_waiters_and_returns_the_agents_requests() -> None:
    with Server(result({})) as server:
        link = server.link
        own = Pending("tools/list", done=anyio.Event())
        agents = Pending("tools/call", client_id=3)
        link.register(own)
        link.register(agents)
        assert link.fail_all() == [agents]
        assert link.up is False and link.pending == {}
        assert own.done is not None and own.done.is_set() and isinstance(own.reply, ServerDown)


@pytest.mark.parametrize(
    ("params", "meta"),
    [
        (None, None),
        ({}, None),
        ({"_meta": "not an object"}, None),
        ({"_meta": {"progressToken": 5}}, None),
        ({"_meta": {"progressToken": 5, "v": 1}}, {"v": 1}),
    ],
)
def test_the_firewalls_own_requests_carry_the_agents_meta_without_its_progress_token(
    params: dict[str, Any] | None, meta: dict[str, Any] | None
) -> None:
    assert own_request_meta(params) == meta

"""One downstream server connection: its streams, the requests in flight to it, and its tool catalog."""

from __future__ import annotations

import itertools
import logging
import math
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp.shared._stream_protocols import ReadStream, WriteStream
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCError, JSONRPCMessage, RequestId

from firewall.core.errors import ServerDown
from firewall.core.events import ToolCall, tool_catalog
from firewall.proxy import wire

log = logging.getLogger(__name__)

MAX_LIST_PAGES = 100


@dataclass
class Pending:
    """A request in flight to the server: the agent's (client_id set) or the firewall's own."""

    method: str
    client_id: RequestId | None = None
    params: dict[str, Any] | None = None
    call: ToolCall | None = None
    done: anyio.Event | None = None
    reply: JSONRPCMessage | Exception | None = None
    deadline: float = math.inf
    """When the relay gives up on the agent's request (anyio clock); moved on by progress."""


@dataclass
class Link:
    name: str
    receive: ReadStream[SessionMessage | Exception]
    send_stream: WriteStream[SessionMessage]
    pending: dict[int, Pending] = field(default_factory=dict)
    up: bool = True
    never_started: bool = False
    """The server could not be started: the link is down from the beginning."""
    catalog: dict[str, dict[str, Any]] | None = None
    """tool name -> its tools/list entry; None until the firewall has seen a complete list."""
    timeout: float = math.inf
    """Seconds a request may go unanswered (limits.request_timeout_seconds)."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _catalog_lock: anyio.Lock = field(default_factory=anyio.Lock)

    async def send(self, message: JSONRPCMessage) -> None:
        if not self.up:
            raise ServerDown(f"server {self.name!r} is down")
        try:
            await self.send_stream.send(SessionMessage(message))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            self.up = False
            raise ServerDown(f"server {self.name!r} is down") from None

    def register(self, pending: Pending) -> int:
        """Reserve a downstream id for a request (before sending, so its reply always finds it)."""
        downstream_id = next(self._ids)
        pending.deadline = anyio.current_time() + self.timeout
        self.pending[downstream_id] = pending
        return downstream_id

    def extend(self, pending: Pending) -> None:
        """The server reported progress on this request: its deadline starts again."""
        pending.deadline = anyio.current_time() + self.timeout

    async def abandon(self, downstream_id: int, reason: str) -> None:
        """Stop waiting for a request: forget it and tell the server (best effort) to cancel it."""
        self.pending.pop(downstream_id, None)
        if self.up:
            with suppress(ServerDown):
                note = {"requestId": downstream_id, "reason": reason}
                await self.send(wire.notification("notifications/cancelled", note))

    async def forward_request(self, pending: Pending, method: str, params: dict[str, Any] | None) -> int:
        downstream_id = self.register(pending)
        try:
            await self.send(wire.request_message(downstream_id, method, params))
        except ServerDown:
            self.pending.pop(downstream_id, None)
            raise
        return downstream_id

    async def request(self, method: str, params: dict[str, Any] | None) -> dict[str, Any]:
        """The firewall's own request (catalog fetch, gateway fan-out); raises on error or server death."""
        pending = Pending(method, params=params, done=anyio.Event())
        downstream_id = await self.forward_request(pending, method, params)
        assert pending.done is not None
        with anyio.move_on_after(self.timeout) as waited:
            await pending.done.wait()
        if waited.cancelled_caught:
            await self.abandon(downstream_id, "mcp-firewall: request timed out")
            raise ServerDown(f"server {self.name!r} did not answer {method} within {self.timeout:g} s")
        reply = pending.reply
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, JSONRPCError):
            raise ServerDown(f"server {self.name!r} answered {method} with error: {reply.error.message}")
        assert reply is not None and hasattr(reply, "result")
        return reply.result  # type: ignore[union-attr]

    async def list_all(self, method: str, key: str, meta: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Follow nextCursor through every page of a */list method."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_LIST_PAGES):
            params: dict[str, Any] = {}
            if meta:
                params["_meta"] = meta
            if cursor is not None:
                params["cursor"] = cursor
            result = await self.request(method, params or None)
            page = result.get(key) or []
            if not isinstance(page, list):
                raise ServerDown(f"server {self.name!r} answered {method} with {key} that is not a list")
            items.extend(page)
            cursor = result.get("nextCursor")
            if not cursor:
                break
        return items

    async def tool_catalog(self, meta: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
        """The server's tools, fetched once (and again after tools/list_changed); None if unavailable."""
        async with self._catalog_lock:
            if self.catalog is None:
                try:
                    tools = await self.list_all("tools/list", "tools", meta)
                except ServerDown as exc:
                    log.warning("could not fetch the tool catalog of %s: %s", self.name, exc)
                    return None
                self.catalog = tool_catalog(tools)
            return self.catalog

    def settle(self, downstream_id: RequestId, reply: JSONRPCMessage | Exception) -> Pending | None:
        """Remove and return the pending request this reply answers; wakes the firewall's own waiters."""
        if not isinstance(downstream_id, int):
            return None
        pending = self.pending.pop(downstream_id, None)
        if pending is not None and pending.done is not None:
            pending.reply = reply
            pending.done.set()
        return pending

    def fail_all(self) -> list[Pending]:
        """The server is gone: wake every waiter and hand back the agent's requests to answer."""
        self.up = False
        orphans = list(self.pending.values())
        self.pending.clear()
        for pending in orphans:
            if pending.done is not None:
                pending.reply = ServerDown(f"server {self.name!r} exited")
                pending.done.set()
        return [p for p in orphans if p.client_id is not None]

"""One downstream server connection: its streams, and the requests in flight to it. The server's
tool catalog is the session's (SessionState.catalog); the link fetches it there when needed.

Every request to a server, the agent's (relayed) and the firewall's own (catalog fetches, the
gateway's fan-out), gets a fresh downstream id here (register), is sent here (send_request), and
is settled here when its reply comes (settle), so ids from different peers never collide.
"""

from __future__ import annotations

import itertools
import logging
import math
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCError, JSONRPCMessage, RequestId

from firewall.core.errors import ServerDown
from firewall.core.events import ToolCall
from firewall.guard.state import ToolCatalog
from firewall.proxy import wire
from firewall.proxy.sdk import ReadStream, WriteStream

log = logging.getLogger(__name__)

MAX_LIST_PAGES = 100
"""Pages of one */list followed before the firewall stops asking (a server's cursor may not end)."""
LISTS = {
    "tools/list": "tools",
    "prompts/list": "prompts",
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
}
"""The */list methods and the result key that holds each one's entries."""


def own_request_meta(params: dict[str, Any] | None) -> dict[str, Any] | None:
    """The agent's per-request _meta minus its progress token, for the firewall's own requests.

    In the 2026-07-28 era every request carries its protocol version and client info in _meta;
    reusing the agent's keeps the firewall's requests valid in either era.
    """
    meta = (params or {}).get("_meta")
    if not isinstance(meta, dict):
        return None
    return {k: v for k, v in meta.items() if k != "progressToken"} or None


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
    """The firewall's connection to one downstream server, and the requests in flight to it."""

    name: str
    receive: ReadStream[SessionMessage | Exception]
    send_stream: WriteStream[SessionMessage]
    pending: dict[int, Pending] = field(default_factory=dict)
    up: bool = True
    never_started: bool = False
    """The server could not be started: the link is down from the beginning."""
    timeout: float = math.inf
    """Seconds a request may go unanswered (limits.request_timeout_seconds)."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _catalog_lock: anyio.Lock = field(default_factory=anyio.Lock)

    async def send(self, message: JSONRPCMessage) -> None:
        """Send one message to the server; ServerDown (and the link marked down) if it is gone."""
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

    async def send_request(self, downstream_id: int, pending: Pending) -> None:
        """Send a registered request (its method and params) under its downstream id; if the
        server is gone it is forgotten again and ServerDown raised."""
        try:
            await self.send(wire.request_message(downstream_id, pending.method, pending.params))
        except ServerDown:
            self.pending.pop(downstream_id, None)
            raise

    async def request(self, method: str, params: dict[str, Any] | None) -> dict[str, Any]:
        """The firewall's own request (catalog fetch, gateway fan-out); raises on error or server death."""
        pending = Pending(method, params=params, done=anyio.Event())
        downstream_id = self.register(pending)
        await self.send_request(downstream_id, pending)
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

    async def list_all(self, method: str, meta: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Every entry of a */list method (one of LISTS), following nextCursor page by page."""
        key = LISTS[method]
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

    async def tool_catalog(
        self, catalog: ToolCatalog, meta: dict[str, Any] | None
    ) -> dict[str, dict[str, Any]] | None:
        """The server's tools from the session's catalog, fetched into it when the session has no
        complete list of them (at first, and again after tools/list_changed); None if unavailable."""
        async with self._catalog_lock:  # concurrent calls fetch once
            known = catalog.of(self.name)
            if known is None:
                try:
                    tools = await self.list_all("tools/list", meta)
                except ServerDown as exc:
                    log.warning("could not fetch the tool catalog of %s: %s", self.name, exc)
                    return None
                known = catalog.replace(self.name, tools)
            return known

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

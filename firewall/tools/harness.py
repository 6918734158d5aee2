"""The firewall in one process: SDK servers behind the real relay, over memory streams.

`InMemoryGateway` is an MCP `Transport`: hand it to the SDK's `Client` and every request goes
through the same `Relay` and pipeline that `serve` (several servers, names `server__tool`) or
`wrap` (one server, names unchanged) run, with memory streams where those have pipes or HTTP.
`mcp-firewall replay`, the AgentDojo benchmark and the adapters' tests drive the firewall this way.

    gateway = InMemoryGateway(firewall, {"mail": mail_server, "web": web_server})
    async with Client(gateway, mode="legacy") as client:
        await client.call_tool("mail__send", {...})
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any

import anyio
from mcp.server import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.memory import create_client_server_memory_streams

from firewall.guard.firewall import Firewall
from firewall.guard.session import FirewallSession
from firewall.proxy.link import Link
from firewall.proxy.naming import Naming
from firewall.proxy.relay import Relay
from firewall.proxy.sdk import Streams


class InMemoryGateway:
    """An MCP Transport whose other end is the real relay in front of in-process servers."""

    def __init__(
        self,
        firewall: Firewall,
        servers: Mapping[str, Server[Any] | MCPServer],
        *,
        session: FirewallSession | None = None,
        transparent: bool = False,
        separator: str = "__",
    ) -> None:
        if transparent and len(servers) != 1:
            raise ValueError("a transparent (wrap-style) relay fronts exactly one server")
        self.firewall = firewall
        self.servers = dict(servers)
        self.session = session or firewall.open_session()
        """The session the relay decides in (add user and system messages to it)."""
        self.naming = None if transparent else Naming(frozenset(self.servers), separator)
        self.relay: Relay | None = None
        self._stack: AsyncExitStack | None = None

    async def __aenter__(self) -> Streams:
        """Start the servers and the relay; the agent's ends of the streams."""
        stack = AsyncExitStack()
        await stack.__aenter__()
        try:
            tg = await stack.enter_async_context(anyio.create_task_group())
            stack.callback(tg.cancel_scope.cancel)  # runs first on exit: stops servers and relay
            links: dict[str, Link] = {}
            for name, server in self.servers.items():
                lowlevel: Server[Any] = server._lowlevel_server if isinstance(server, MCPServer) else server
                (
                    (to_server_read, to_server_write),
                    (server_read, server_write),
                ) = await stack.enter_async_context(create_client_server_memory_streams())
                tg.start_soon(_run_server, lowlevel, server_read, server_write)
                links[name] = Link(name, to_server_read, to_server_write)
            (agent_read, agent_write), (relay_read, relay_write) = await stack.enter_async_context(
                create_client_server_memory_streams()
            )
            self.relay = Relay(self.session, relay_read, relay_write, links, self.naming)
            tg.start_soon(self.relay.run)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        return agent_read, agent_write

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.__aexit__(exc_type, exc, tb)
        return None


async def _run_server(server: Server[Any], read: Any, write: Any) -> None:
    await server.run(read, write, server.create_initialization_options())

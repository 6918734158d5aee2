"""Stream pairs of SessionMessage for every place the firewall meets a peer, all via the SDK.

- the agent on our own stdin/stdout (wrap, and the gateway's stdio front): the SDK's stdio_server;
- a downstream server we launch: the same stdio_server framing over the child's pipes;
- a downstream streamable-HTTP server: the SDK's streamable_http_client;
- agents over streamable HTTP (the gateway's HTTP front): the SDK's StreamableHTTPServerTransport,
  one per session, behind a bearer-token check.
Only line capping (framing.CappedLines) and process lifecycle are ours.
"""

from __future__ import annotations

import fcntl
import logging
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
from anyio.abc import Process, TaskGroup
from mcp.client.streamable_http import streamable_http_client
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http import MCP_SESSION_ID_HEADER, StreamableHTTPServerTransport
from mcp.server.transport_security import RequestBodyLimitMiddleware, TransportSecuritySettings
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared._stream_protocols import ReadStream, WriteStream
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp.shared.message import SessionMessage
from mcp_types import UNSUPPORTED_PROTOCOL_VERSION
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from firewall import wire
from firewall.config import ServerConfig
from firewall.events import SessionInfo
from firewall.framing import CappedLines

log = logging.getLogger(__name__)

# The SDK's own stream protocols (its transports yield these).
Streams = tuple[ReadStream[SessionMessage | Exception], WriteStream[SessionMessage]]

GRACE_SECONDS = 2.0


class _PipeWriter:
    """The text-file face stdio_server writes to, over a child's stdin pipe."""

    def __init__(self, process: Process) -> None:
        assert process.stdin is not None
        self._stdin = process.stdin

    async def write(self, text: str) -> None:
        await self._stdin.send(text.encode("utf-8"))

    async def flush(self) -> None:
        return None


@asynccontextmanager
async def agent_stdio(limit: int) -> AsyncIterator[Streams]:
    """The agent on our stdin/stdout, both read and written on the event loop (non-blocking fds),
    never in worker threads: a thread per write costs two hops a message on the hot path, and a
    thread blocked in read() would keep the process alive after the session ends.

    As the SDK's own stdio_server does, fd 1 is pointed at stderr while serving (the wire moves to a
    private descriptor), so a stray print cannot corrupt the wire; stdin is read in capped lines."""
    stdin_fd = sys.stdin.fileno()
    wire = fcntl.fcntl(sys.stdout.fileno(), fcntl.F_DUPFD_CLOEXEC, 3)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), 1)
    restore = [(fd, os.get_blocking(fd)) for fd in (stdin_fd, wire)]
    for fd, _ in restore:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # regular files never block (and cannot be polled)
            os.set_blocking(fd, False)
    lines = CappedLines(partial(_read_ready, stdin_fd), limit)
    try:
        async with stdio_server(stdin=lines, stdout=_FdWriter(wire)) as (receive, send):  # type: ignore[arg-type]
            try:
                yield receive, send
            finally:
                # Let the writer drain what was sent, and stop the reader waiting on our stdin.
                await send.aclose()
                lines.close()
    finally:
        for fd, blocking in restore:
            os.set_blocking(fd, blocking)
        os.dup2(wire, 1)
        os.close(wire)


class _FdWriter:
    """The text-file face stdio_server writes to, over a descriptor written on the event loop."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    async def write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
        while data:
            try:
                data = data[os.write(self.fd, data) :]
            except BlockingIOError:
                await anyio.wait_writable(self.fd)

    async def flush(self) -> None:
        return None


async def _read_ready(fd: int) -> bytes:
    while True:
        try:
            return os.read(fd, 65536)
        except BlockingIOError:
            await anyio.wait_readable(fd)


@asynccontextmanager
async def child_stdio(
    command: list[str], *, env: dict[str, str] | None, cwd: Any, limit: int
) -> AsyncIterator[Streams]:
    """Launch a stdio MCP server and speak to it with the SDK's framing; its stderr is ours."""
    process = await anyio.open_process(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines = CappedLines(process.stdout.receive, limit)
    try:
        async with stdio_server(stdin=lines, stdout=_PipeWriter(process)) as (receive, send):  # type: ignore[arg-type]
            try:
                yield receive, send
            finally:
                await send.aclose()
                with anyio.CancelScope(shield=True):
                    await _stop(process)  # its stdout then reaches EOF, which ends the reader
    finally:
        with anyio.CancelScope(shield=True):
            await _stop(process)


async def _stop(process: Process) -> None:
    """Close stdin, give the server a grace period, then terminate and finally kill it."""
    if process.stdin is not None:
        await process.stdin.aclose()
    for signal_it in (None, process.terminate, process.kill):
        if signal_it is not None:
            with suppress(ProcessLookupError):
                signal_it()
        with anyio.move_on_after(GRACE_SECONDS):
            await process.wait()
            return


@asynccontextmanager
async def server_streams(name: str, server: ServerConfig, limit: int) -> AsyncIterator[Streams]:
    """Streams to one configured downstream server, stdio or streamable HTTP."""
    if server.command is not None:
        async with child_stdio(
            server.command, env=server.child_env(), cwd=server.cwd, limit=limit
        ) as streams:
            yield streams
        return
    assert server.url is not None
    async with (
        create_mcp_http_client(headers=server.headers or None) as http,
        streamable_http_client(server.url, http_client=http, max_sse_event_size=limit) as streams,
    ):
        yield streams


@dataclass
class _FrontSession:
    transport: StreamableHTTPServerTransport
    principal: str


class HttpFront:
    """ASGI app: bearer-token check, then one SDK StreamableHTTPServerTransport per MCP session.

    `serve_session(info, streams)` runs for the life of each session (the gateway's relay).
    """

    def __init__(
        self,
        tokens: dict[str, str],
        serve_session: Callable[[SessionInfo, Streams], Awaitable[None]],
        task_group: TaskGroup,
        *,
        path: str = "/mcp",
        allowed_hosts: list[str] | None = None,
        idle_seconds: float | None = None,
        max_sessions: int | None = None,
    ) -> None:
        self.tokens = tokens
        self.serve_session = serve_session
        self.task_group = task_group
        self.path = path.rstrip("/") or "/"
        self.sessions: dict[str, _FrontSession] = {}
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self.security = TransportSecuritySettings(
            enable_dns_rebinding_protection=allowed_hosts is not None, allowed_hosts=allowed_hosts or []
        )

    def principal(self, scope: Scope) -> str | None:
        for key, value in scope.get("headers", []):
            if key == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer":
                    return self.tokens.get(token.strip())
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"].rstrip("/") != self.path.rstrip("/"):
            await Response("not found", status_code=404)(scope, receive, send)
            return
        principal = self.principal(scope)
        if principal is None:
            body = {"error": "unauthorized", "error_description": "a valid bearer token is required"}
            headers = {"WWW-Authenticate": 'Bearer realm="mcp-firewall"'}
            await JSONResponse(body, status_code=401, headers=headers)(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        version = headers.get(MCP_PROTOCOL_VERSION_HEADER.lower())
        if version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS:
            # Stateless 2026-07-28 requests: the gateway front speaks the handshake era; the SDK's
            # "auto" clients fall back to initialize on this error.
            error = wire.error(
                None,
                UNSUPPORTED_PROTOCOL_VERSION,
                "the gateway speaks the initialize handshake",
                {"supported": list(HANDSHAKE_PROTOCOL_VERSIONS), "requested": version},
            )
            await JSONResponse(error.model_dump(exclude_none=True), status_code=400)(scope, receive, send)
            return
        session_id = headers.get(MCP_SESSION_ID_HEADER.lower())
        if session_id is not None:
            session = self.sessions.get(session_id)
            if session is None or session.principal != principal:
                await Response("session not found", status_code=404)(scope, receive, send)
                return
            await session.transport.handle_request(scope, receive, send)
            return
        await self._open_session(principal, scope, receive, send)

    async def _open_session(self, principal: str, scope: Scope, receive: Receive, send: Send) -> None:
        if self.max_sessions is not None and len(self.sessions) >= self.max_sessions:
            await JSONResponse({"error": "too many open sessions"}, status_code=503)(scope, receive, send)
            return
        session_id = uuid.uuid4().hex
        transport = StreamableHTTPServerTransport(
            mcp_session_id=session_id, security_settings=self.security, idle_timeout=self.idle_seconds
        )
        self.sessions[session_id] = _FrontSession(transport, principal)
        info = SessionInfo(id=session_id, principal=principal)

        async def run(*, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
            try:
                async with transport.connect() as streams:
                    task_status.started()
                    # The SDK cancels idle_scope once no request has been in flight for idle_seconds.
                    with transport.idle_scope or anyio.CancelScope():
                        await self.serve_session(info, streams)
            except Exception:
                log.exception("session %s crashed", session_id)
            finally:
                self.sessions.pop(session_id, None)
                with anyio.CancelScope(shield=True):
                    await transport.terminate()

        await self.task_group.start(run)
        await transport.handle_request(scope, receive, send)


def http_app(front: HttpFront, max_body: int) -> Any:
    return RequestBodyLimitMiddleware(front, max_body)

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
import ipaddress
import logging
import os
import re
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
import pydantic_core
from anyio.abc import Process, TaskGroup
from mcp.client.streamable_http import streamable_http_client
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http import (
    MCP_SESSION_ID_HEADER,
    StreamableHTTPServerTransport,
    check_accept_headers,
)
from mcp.server.transport_security import RequestBodyLimitMiddleware, TransportSecuritySettings
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp.shared.message import SessionMessage
from mcp_types import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    UNSUPPORTED_PROTOCOL_VERSION,
    ErrorData,
    JSONRPCError,
    JSONRPCRequest,
    jsonrpc_message_adapter,
)
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from firewall.config import ServerConfig
from firewall.core.events import SessionInfo
from firewall.proxy import wire
from firewall.proxy.framing import CappedLines
from firewall.proxy.sdk import ReadStream, Streams, create_mcp_http_client

log = logging.getLogger(__name__)

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
    lines = CappedLines(partial(_read_ready, stdin_fd), limit, strict_ids=True)
    try:
        async with stdio_server(stdin=lines, stdout=_FdWriter(wire)) as (receive, send):  # type: ignore[arg-type]
            try:
                yield receive, send
            finally:
                # Let the writer drain what was sent, and stop the reader waiting on our stdin.
                await send.aclose()
                lines.close()
                await _discard(receive)
    finally:
        for fd, blocking in restore:
            os.set_blocking(fd, blocking)
        os.dup2(wire, 1)
        os.close(wire)


class _FdWriter:
    """The text-file face stdio_server writes to, over a descriptor written on the event loop."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.broken = False

    async def write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
        while data and not self.broken:
            try:
                data = data[os.write(self.fd, data) :]
            except BlockingIOError:
                await anyio.wait_writable(self.fd)
            except (BrokenPipeError, ConnectionResetError):
                # The agent is gone; what is left to say has no reader (the session ends on its EOF).
                log.info("the agent's side of the wire is closed; output dropped")
                self.broken = True

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
                    # The reader may be blocked handing over a message nobody will take: take and
                    # drop what the server still says while it stops, until its stdout closes.
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(_discard, receive)
                        await _stop(process)
                        lines.close()  # a grandchild may hold the pipe open: stop reading anyway
    finally:
        with anyio.CancelScope(shield=True):
            await _stop(process)


async def _discard(receive: ReadStream[SessionMessage | Exception]) -> None:
    """Read a stream to its end, dropping everything (it unblocks the writer on its other end), then
    close it: the SDK's stdio_server leaves closing the stream it yields to its caller."""
    with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
        async for _ in receive:
            pass
    await receive.aclose()


async def _stop(process: Process) -> None:
    """Close stdin, give the server a grace period, then terminate and finally kill it."""
    if process.stdin is not None:
        with suppress(OSError, anyio.BrokenResourceError):
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
    `allowed_hosts` are host names (no port) the Host header must name exactly; None accepts any.
    Host and Origin are checked here, on every request, and a session (with its servers) is opened
    only for an `initialize` request without a session id: a refused request opens nothing.
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
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
        # Host and Origin are validated by misdirected(), before any session exists.
        self.security = TransportSecuritySettings(enable_dns_rebinding_protection=False)

    def principal(self, scope: Scope) -> str | None:
        """The principal of the request's bearer token, or None."""
        for key, value in scope.get("headers", []):
            if key == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer":
                    return self.tokens.get(token.strip())
        return None

    def misdirected(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        """421 for a Host that is not ours, 403 for an Origin from elsewhere; None if both are fine.

        DNS rebinding puts a foreign name in Host; a web page's request carries its Origin. An
        absent Origin (non-browser clients) is fine; a present one must be the request's own origin
        or a loopback origin on the gateway's port."""
        host = _authority(headers.get("host", ""))
        if self.allowed_hosts is not None and (host is None or host[0] not in self.allowed_hosts):
            return Response("Invalid Host header", status_code=421)
        origin = headers.get("origin")
        if origin is not None and not _origin_allowed(origin, host, scope.get("server")):
            return Response("Invalid Origin header", status_code=403)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app. A request on `path` needs a known bearer token and our Host and Origin;
        with a session id it goes to that session (only for the principal that opened it); without
        one, only a POST `initialize` is served, and it opens a new session. Anything else gets its
        HTTP error."""
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
        refusal = self.misdirected(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
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
        if scope["method"] in ("GET", "DELETE"):
            await _rpc_error("Bad Request: Missing session ID", 400)(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _rpc_error("Method Not Allowed", 405, {"Allow": "GET, POST, DELETE"})(scope, receive, send)
            return
        payload = await _read_body(receive)
        if payload is None:  # the client went away
            return
        refusal = _not_initialize(Request(scope), payload)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._open_session(principal, scope, _replay(payload, receive), send)

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


# host[:port], nothing else: a DNS name or IPv4 address, or a bracketed IPv6 address.
_AUTHORITY = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?", re.ASCII | re.IGNORECASE)
_ORIGIN = re.compile(r"(https?)://(.*)", re.ASCII | re.IGNORECASE | re.DOTALL)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _authority(value: str) -> tuple[str, int | None] | None:
    """A Host header (or an origin's host part) as (lower-case host, port or None); None if malformed."""
    match = _AUTHORITY.fullmatch(value)
    if match is None:
        return None
    port = None if match[2] is None else int(match[2])
    if port is not None and not 0 < port < 65536:
        return None
    return match[1].lower(), port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def _origin_allowed(origin: str, host: tuple[str, int | None] | None, server: Any) -> bool:
    """Whether `origin` is the request's own (Host `host`) or a loopback origin on the server's port."""
    match = _ORIGIN.fullmatch(origin)
    authority = None if match is None else _authority(match[2])
    if match is None or authority is None:
        return False
    default = _DEFAULT_PORTS[match[1].lower()]
    name, port = authority[0], authority[1] or default
    if host is not None and (name, port) == (host[0], host[1] or default):
        return True
    return _is_loopback(name) and server is not None and port == server[1]


def _rpc_error(
    message: str, status: int, headers: dict[str, str] | None = None, code: int = INVALID_REQUEST
) -> Response:
    """A JSON-RPC error (id null) with an HTTP status, as the SDK's transport answers refusals."""
    error = JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=code, message=message))
    body = error.model_dump_json(by_alias=True, exclude_unset=True)
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _not_initialize(request: Request, body: bytes) -> Response | None:
    """The SDK's refusal for a session-less POST that is not a well-formed `initialize` request."""
    has_json, has_sse = check_accept_headers(request)
    if not (has_json and has_sse):
        return _rpc_error(
            "Not Acceptable: Client must accept both application/json and text/event-stream", 406
        )
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return _rpc_error("Unsupported Media Type: Content-Type must be application/json", 415)
    try:
        message = jsonrpc_message_adapter.validate_python(pydantic_core.from_json(body), by_name=False)
    except ValidationError:
        return _rpc_error("Validation error: not a JSON-RPC message", 400, code=INVALID_PARAMS)
    except ValueError:
        return _rpc_error("Parse error: the body is not JSON", 400, code=PARSE_ERROR)
    if not (isinstance(message, JSONRPCRequest) and message.method == "initialize"):
        return _rpc_error("Bad Request: Missing session ID", 400)
    return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body (RequestBodyLimitMiddleware has capped it); None if the client left."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        body.extend(message.get("body", b""))
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` with the body, already read, delivered again first."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def http_app(front: HttpFront, max_body: int) -> Any:
    """The HTTP front as the ASGI app to serve: request bodies over max_body bytes refused first."""
    return RequestBodyLimitMiddleware(front, max_body)

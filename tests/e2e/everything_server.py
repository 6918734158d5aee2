"""An MCP server exposing every protocol feature, for end-to-end relay tests.

Usage::

    python tests/e2e/everything_server.py [--http PORT] [--record FILE] [--name NAME]

Serves stdio by default (nothing is written to stdout but protocol frames; logs go to
stderr). With ``--http PORT`` it serves streamable HTTP on ``127.0.0.1:PORT/mcp``
(``PORT`` 0 picks a free port) and prints one line, ``READY <url>``, to stdout once it
accepts connections. Both protocol eras are served: the handshake era
(``initialize``, 2024-11-05 .. 2025-11-25) and the 2026-07-28 era (``server/discover``
and per-request envelopes); the SDK's lowlevel ``Server`` routes each connection
(stdio) or request (HTTP) to the era the client speaks.

``--record FILE`` appends one JSON line per request or notification the server
received, taken from the transport before any SDK processing::

    {"method": "tools/call", "params": {...}, "id": 3}   # requests carry their id
    {"method": "notifications/cancelled", "params": {...}}

Server-to-client requests (sampling, elicitation, roots, ping) are standalone JSON-RPC
requests in the handshake era and ``InputRequiredResult`` rounds at 2026-07-28.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol, TextIO, TypeVar, cast, get_args

import anyio
import mcp_types as types
import uvicorn
from mcp.server import NotificationOptions, Server, ServerRequestContext
from mcp.server.models import InitializationOptions
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ResourceUpdated, ToolsListChanged
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from mcp.shared.message import ServerMessageMetadata, SessionMessage
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("everything_server")

DEFAULT_NAME: Final = "everything"
STATIC_URI: Final = "resource://static/hello"
STATIC_TEXT: Final = "Hello from the everything server"
ITEM_TEMPLATE: Final = "resource://items/{id}"
ITEM_IDS: Final = ("1", "2", "3", "10", "42")
GREET_NAMES: Final = ("alice", "albert", "bob", "carol")
HANG_PREFIX: Final = "HANG:"
"""A sampling prompt with this prefix asks the client callback to hang until cancelled."""
MCP_PATH: Final = "/mcp"
CRASH_EXIT_CODE: Final = 3
"""Exit status of the process after the `crash` tool."""

LOG_LEVELS: Final[tuple[types.LoggingLevel, ...]] = get_args(types.LoggingLevel)
_ITEM_URI: Final = re.compile(r"^resource://items/(?P<id>[^/]+)$")
_WAIT_LIMIT: Final = 10.0
"""Upper bound (seconds) for tools that wait on another call from the client."""

_ResultT = TypeVar("_ResultT", bound=types.Result)
ToolResult = types.CallToolResult | types.InputRequiredResult
ToolFn = Callable[[ServerRequestContext[Any], types.CallToolRequestParams], Awaitable[ToolResult]]


def _text(text: str, structured: dict[str, Any] | None = None) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=structured)


def _object_schema(
    properties: dict[str, Any] | None = None, required: tuple[str, ...] = ()
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties or {}}
    if required:
        schema["required"] = list(required)
    return schema


_STRING: Final = {"type": "string"}
_NUMBER: Final = {"type": "number"}


def _is_modern(ctx: ServerRequestContext[Any]) -> bool:
    return ctx.protocol_version in MODERN_PROTOCOL_VERSIONS


def _related(ctx: ServerRequestContext[Any]) -> ServerMessageMetadata:
    """Route a server-to-client message onto the originating request's stream (its POST on HTTP)."""
    return ServerMessageMetadata(related_request_id=ctx.request_id)


def _connection_key(ctx: ServerRequestContext[Any]) -> str:
    """Identify the client connection: the streamable-HTTP session id, or "" for stdio."""
    headers = getattr(ctx.request, "headers", None)
    if isinstance(headers, Mapping):
        return str(cast(Mapping[str, str], headers).get("mcp-session-id", ""))
    return ""


class MessageRecorder:
    """Appends every inbound request/notification as one JSON line, flushed per line."""

    def __init__(self, path: Path | None) -> None:
        self._file: TextIO | None = path.open("a", encoding="utf-8") if path is not None else None

    def record(self, message: Mapping[str, Any]) -> None:
        if self._file is None or not isinstance(message.get("method"), str):
            return
        entry: dict[str, Any] = {"method": message["method"], "params": message.get("params")}
        if "id" in message:
            entry["id"] = message["id"]
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()

    def record_session_message(self, item: SessionMessage | Exception) -> None:
        if isinstance(item, SessionMessage):
            self.record(item.message.model_dump(by_alias=True, mode="json", exclude_unset=True))

    def record_http_body(self, body: bytes) -> None:
        try:
            decoded: Any = json.loads(body)
        except ValueError:
            return
        for message in decoded if isinstance(decoded, list) else [decoded]:
            if isinstance(message, dict):
                self.record(cast(dict[str, Any], message))


class _InboundStream(Protocol):
    """The receiving half of a server transport (what `stdio_server()` yields first)."""

    async def receive(self) -> SessionMessage | Exception: ...
    async def aclose(self) -> None: ...


class RecordingReadStream:
    """A transport read stream that records each inbound message before the SDK sees it."""

    def __init__(self, inner: _InboundStream, recorder: MessageRecorder) -> None:
        self._inner = inner
        self._recorder = recorder

    @property
    def last_context(self) -> Any:
        """The sender context of the last item (the SDK reads it when present)."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        item = await self._inner.receive()
        self._recorder.record_session_message(item)
        return item

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> RecordingReadStream:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> RecordingReadStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class RecordingASGI:
    """ASGI wrapper that records every JSON-RPC message POSTed to the app."""

    def __init__(self, app: ASGIApp, recorder: MessageRecorder) -> None:
        self._app = app
        self._recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._recorder.record_http_body(b"".join(chunks))
            return message

        await self._app(scope, recording_receive, send)


@dataclass
class _ToolEntry:
    tool: types.Tool
    fn: ToolFn


@dataclass
class _ConnectionState:
    """Handshake-era per-connection state (the 2026-07-28 era keeps none)."""

    log_level: types.LoggingLevel | None = None
    subscriptions: set[str] = field(default_factory=set[str])


class _EverythingLowlevelServer(Server[Any]):
    """Lowlevel `Server` that advertises `listChanged` on every handshake-era connection.

    The streamable-HTTP manager builds initialization options itself, so the default
    has to change here rather than at the `run()` call.
    """

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        return super().create_initialization_options(
            notification_options or NotificationOptions(tools_changed=True),
            experimental_capabilities,
            extensions,
        )


class EverythingServer:
    """State and handlers; `build()` wires them into a lowlevel SDK `Server`."""

    def __init__(self, name: str = DEFAULT_NAME) -> None:
        self.name = name
        self.bus = InMemorySubscriptionBus()
        self._tools: dict[str, _ToolEntry] = {}
        self._connections: dict[str, _ConnectionState] = {}
        self._cancelled: dict[str, anyio.Event] = {}
        self._sampling_started: dict[str, anyio.Event] = {}
        self._standalone_stop: dict[str, anyio.Event] = {}
        self._dynamic_tools = 0
        self._register_builtin_tools()

    # ----------------------------------------------------------------- wiring

    def build(self) -> Server[Any]:
        server = _EverythingLowlevelServer(
            self.name,
            version="1.0.0",
            instructions="Exercises every MCP feature; see tests/e2e/everything_server.py.",
            get_tool_input_schema=self._tool_input_schema,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_resource_templates,
            on_read_resource=self._read_resource,
            on_subscribe_resource=self._subscribe,
            on_unsubscribe_resource=self._unsubscribe,
            on_subscriptions_listen=ListenHandler(self.bus),
            on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt,
            on_completion=self._complete,
        )
        # Registered directly: the constructor kwargs for these deprecated (2026-07-28)
        # features emit MCPDeprecationWarning, and both only exist in the handshake era.
        server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, self._set_level)
        server.add_notification_handler(
            "notifications/roots/list_changed", types.NotificationParams, self._roots_list_changed
        )
        return server

    def _register_builtin_tools(self) -> None:
        def add(
            name: str,
            description: str,
            fn: ToolFn,
            schema: dict[str, Any],
            output: dict[str, Any] | None = None,
        ) -> None:
            tool = types.Tool(name=name, description=description, input_schema=schema, output_schema=output)
            self._tools[name] = _ToolEntry(tool, fn)

        token = {"token": _STRING}
        text_schema = _object_schema({"text": _STRING}, ("text",))
        add(
            "echo",
            "Return `text` unchanged (as content and structured).",
            self._echo,
            text_schema,
            text_schema,
        )
        add(
            "add",
            "Add two numbers (structured output).",
            self._add,
            _object_schema({"a": _NUMBER, "b": _NUMBER}, ("a", "b")),
            _object_schema({"sum": _NUMBER}, ("sum",)),
        )
        add(
            "slow",
            "Run `steps` steps of `delay` seconds, reporting progress after each; honours cancellation.",
            self._slow,
            _object_schema(
                {"steps": {"type": "integer"}, "delay": _NUMBER, "token": _STRING}, ("steps", "delay")
            ),
        )
        add(
            "was_cancelled",
            "Wait (bounded) until the `slow` call carrying `token` was cancelled; report whether it was.",
            self._was_cancelled,
            _object_schema(token, ("token",)),
            _object_schema({"cancelled": {"type": "boolean"}}, ("cancelled",)),
        )
        interaction_output = _object_schema({"text": _STRING, "via": _STRING}, ("text", "via"))
        add(
            "sample",
            "Ask the client to sample an LLM with `prompt`; return its text.",
            self._sample,
            _object_schema({"prompt": _STRING}, ("prompt",)),
            interaction_output,
        )
        add(
            "elicit",
            "Ask the client/user `question`; return the answer.",
            self._elicit,
            _object_schema({"question": _STRING}, ("question",)),
            _object_schema({"action": _STRING, "answer": _STRING, "via": _STRING}, ("action", "via")),
        )
        add(
            "roots",
            "Ask the client for its roots.",
            self._roots,
            _object_schema(),
            _object_schema({"roots": {"type": "array", "items": _STRING}, "via": _STRING}, ("roots", "via")),
        )
        add(
            "log",
            "Emit `msg` as a notifications/message log entry at `level` (default info).",
            self._log,
            _object_schema({"msg": _STRING, "level": {"enum": list(LOG_LEVELS)}}, ("msg",)),
            _object_schema(
                {"sent": {"type": "boolean"}, "level": _STRING, "minLevel": {"type": ["string", "null"]}},
                ("sent", "level"),
            ),
        )
        add(
            "ping_client",
            "Send a ping request to the client (handshake era).",
            self._ping_client,
            _object_schema(),
        )
        add(
            "add_tool",
            "Register a new tool and announce tools/list_changed.",
            self._add_tool,
            _object_schema(),
            _object_schema({"name": _STRING}, ("name",)),
        )
        add(
            "notify_resource",
            f"Announce notifications/resources/updated for {STATIC_URI} to subscribers.",
            self._notify_resource,
            _object_schema(),
            _object_schema({"sent": {"type": "boolean"}}, ("sent",)),
        )
        add(
            "cancel_sampling",
            "Send a sampling request that the client parks, then cancel it (handshake era).",
            self._cancel_sampling,
            _object_schema(token, ("token",)),
            _object_schema({"cancelled": {"type": "boolean"}}, ("cancelled",)),
        )
        add(
            "sampling_started",
            "Called by the client from its parked sampling callback (see cancel_sampling).",
            self._sampling_started_tool,
            _object_schema(token, ("token",)),
        )
        add(
            "standalone_log",
            "Log on the standalone server stream until stop_standalone_log(token) (handshake era).",
            self._standalone_log,
            _object_schema(token, ("token",)),
            _object_schema({"sent": {"type": "integer"}}, ("sent",)),
        )
        add(
            "stop_standalone_log",
            "Stop a running standalone_log(token).",
            self._stop_standalone_log,
            _object_schema(token, ("token",)),
        )
        add(
            "crash",
            "Exit the server process at once, without answering (for fault-handling tests).",
            self._crash,
            _object_schema(),
        )

    def _state(self, ctx: ServerRequestContext[Any]) -> _ConnectionState:
        return self._connections.setdefault(_connection_key(ctx), _ConnectionState())

    # ------------------------------------------------------------------ tools

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        entry = self._tools.get(name)
        return entry.tool.input_schema if entry is not None else None

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[entry.tool for entry in self._tools.values()])

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        entry = self._tools.get(params.name)
        if entry is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name}")
        return await entry.fn(ctx, params)

    async def _echo(self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
        text = str(_args(params)["text"])
        return _text(text, {"text": text})

    async def _add(self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
        args = _args(params)
        total = args["a"] + args["b"]
        return _text(str(total), {"sum": total})

    async def _slow(self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
        args = _args(params)
        steps, delay = int(args["steps"]), float(args["delay"])
        cancelled = self._event(self._cancelled, str(args.get("token", "")))
        try:
            for step in range(1, steps + 1):
                await anyio.sleep(delay)
                await ctx.session.report_progress(step, steps, f"step {step}/{steps}")
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise
        return _text(f"completed {steps} steps")

    async def _was_cancelled(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        cancelled = self._event(self._cancelled, str(_args(params)["token"]))
        with anyio.move_on_after(_WAIT_LIMIT):
            await cancelled.wait()
        return _text(str(cancelled.is_set()).lower(), {"cancelled": cancelled.is_set()})

    async def _sample(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        request = types.CreateMessageRequest(params=_sampling_params(str(_args(params)["prompt"])))
        answer = await self._ask(ctx, params, "sample", request, types.CreateMessageResult)
        if isinstance(answer, types.InputRequiredResult):
            return answer
        text = answer.content.text if isinstance(answer.content, types.TextContent) else ""
        return _text(text, {"text": text, "via": _via(ctx, request)})

    async def _elicit(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        request = types.ElicitRequest(
            params=types.ElicitRequestFormParams(
                message=str(_args(params)["question"]),
                requested_schema=_object_schema({"answer": _STRING}, ("answer",)),
            )
        )
        answer = await self._ask(ctx, params, "elicit", request, types.ElicitResult)
        if isinstance(answer, types.InputRequiredResult):
            return answer
        text = str((answer.content or {}).get("answer", ""))
        return _text(text, {"action": answer.action, "answer": text, "via": _via(ctx, request)})

    async def _roots(self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
        request = types.ListRootsRequest()
        answer = await self._ask(ctx, params, "roots", request, types.ListRootsResult)
        if isinstance(answer, types.InputRequiredResult):
            return answer
        uris = [str(root.uri) for root in answer.roots]
        return _text(json.dumps(uris), {"roots": uris, "via": _via(ctx, request)})

    async def _log(self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
        args = _args(params)
        level = cast(types.LoggingLevel, args.get("level", "info"))
        if _is_modern(ctx):
            # 2026-07-28: the request's own `_meta` opts in to log delivery at a level.
            min_level = cast(types.LoggingLevel | None, (ctx.meta or {}).get(types.LOG_LEVEL_META_KEY))
            sent = min_level in LOG_LEVELS and _at_least(level, min_level)
        else:
            # Handshake era: filtering by logging/setLevel is the server's job.
            min_level = self._state(ctx).log_level
            sent = min_level is None or _at_least(level, min_level)
        if sent:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MCPDeprecationWarning)
                await ctx.session.send_log_message(
                    level, args["msg"], logger=self.name, related_request_id=ctx.request_id
                )
        return _text("sent" if sent else "filtered", {"sent": sent, "level": level, "minLevel": min_level})

    async def _ping_client(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        if _is_modern(ctx):
            return _not_in_modern_era("ping")
        await ctx.session.send_request(types.PingRequest(), types.EmptyResult, metadata=_related(ctx))
        return _text("pong")

    async def _add_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        self._dynamic_tools += 1
        name = f"dynamic_{self._dynamic_tools}"

        async def dynamic(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
            return _text(f"dynamic tool {name}")

        tool = types.Tool(
            name=name, description="Added at runtime by add_tool.", input_schema=_object_schema()
        )
        self._tools[name] = _ToolEntry(tool, dynamic)
        if _is_modern(ctx):
            await self.bus.publish(ToolsListChanged())
        else:
            await ctx.session.send_notification(
                types.ToolListChangedNotification(), related_request_id=ctx.request_id
            )
        return _text(name, {"name": name})

    async def _notify_resource(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        if _is_modern(ctx):
            # Delivered to every subscriptions/listen stream whose filter names the URI.
            await self.bus.publish(ResourceUpdated(uri=STATIC_URI))
            sent = True
        else:
            sent = STATIC_URI in self._state(ctx).subscriptions
            if sent:
                notification = types.ResourceUpdatedNotification(
                    params=types.ResourceUpdatedNotificationParams(uri=STATIC_URI)
                )
                await ctx.session.send_notification(notification, related_request_id=ctx.request_id)
        return _text("sent" if sent else "not subscribed", {"sent": sent})

    async def _cancel_sampling(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        if _is_modern(ctx):
            return _not_in_modern_era("server-to-client requests")
        token = str(_args(params)["token"])
        started = self._event(self._sampling_started, token)
        request = types.CreateMessageRequest(params=_sampling_params(HANG_PREFIX + token))
        answered = False

        async def ask() -> None:
            nonlocal answered
            await ctx.session.send_request(request, types.CreateMessageResult, metadata=_related(ctx))
            answered = True

        async with anyio.create_task_group() as tg:
            tg.start_soon(ask)
            with anyio.fail_after(_WAIT_LIMIT):
                await started.wait()
            # Abandoning the request makes the SDK send notifications/cancelled to the client.
            tg.cancel_scope.cancel()
        return _text("cancelled" if not answered else "answered", {"cancelled": not answered})

    async def _sampling_started_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        self._event(self._sampling_started, str(_args(params)["token"])).set()
        return _text("ok")

    async def _standalone_log(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        if _is_modern(ctx):
            return _not_in_modern_era("the standalone server stream")
        token = str(_args(params)["token"])
        stop = self._event(self._standalone_stop, token)
        sent = 0
        # Over streamable HTTP the standalone stream is the client's GET stream, which opens
        # asynchronously after the handshake; a message sent before it is up is dropped. Keep
        # sending until the client confirms receipt via stop_standalone_log.
        with anyio.move_on_after(_WAIT_LIMIT):
            while not stop.is_set():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", MCPDeprecationWarning)
                    await ctx.session.send_log_message("warning", f"standalone:{token}", logger="standalone")
                sent += 1
                with anyio.move_on_after(0.05):
                    await stop.wait()
        return _text(str(sent), {"sent": sent})

    async def _stop_standalone_log(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> ToolResult:
        self._event(self._standalone_stop, str(_args(params)["token"])).set()
        return _text("stopped")

    async def _crash(self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> ToolResult:
        logger.warning("crash tool called: exiting with status %d", CRASH_EXIT_CODE)
        sys.stderr.flush()
        os._exit(CRASH_EXIT_CODE)

    async def _ask(
        self,
        ctx: ServerRequestContext[Any],
        params: types.CallToolRequestParams,
        key: str,
        request: types.CreateMessageRequest | types.ElicitRequest | types.ListRootsRequest,
        result_type: type[_ResultT],
    ) -> _ResultT | types.InputRequiredResult:
        """Ask the client for input in the connection's era.

        Handshake era: a server-to-client JSON-RPC request on the tool call's stream.
        2026-07-28: return an `InputRequiredResult`; the client retries the call with
        the answer in `input_responses[key]`.
        """
        if not _is_modern(ctx):
            return await ctx.session.send_request(request, result_type, metadata=_related(ctx))
        answer = (params.input_responses or {}).get(key)
        if answer is None:
            return types.InputRequiredResult(input_requests={key: request})
        if not isinstance(answer, result_type):
            raise MCPError(types.INVALID_PARAMS, f"input_responses[{key!r}] is not a {result_type.__name__}")
        return answer

    @staticmethod
    def _event(events: dict[str, anyio.Event], token: str) -> anyio.Event:
        return events.setdefault(token, anyio.Event())

    # -------------------------------------------------------------- resources

    async def _list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        resource = types.Resource(
            name="hello", uri=STATIC_URI, mime_type="text/plain", description="A static text."
        )
        return types.ListResourcesResult(resources=[resource])

    async def _list_resource_templates(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        template = types.ResourceTemplate(
            name="item", uri_template=ITEM_TEMPLATE, mime_type="text/plain", description="An item by id."
        )
        return types.ListResourceTemplatesResult(resource_templates=[template])

    async def _read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        if uri == STATIC_URI:
            text = STATIC_TEXT
        elif (match := _ITEM_URI.match(uri)) is not None:
            text = item_text(match["id"])
        else:
            raise MCPError(types.INVALID_PARAMS, f"Unknown resource: {uri}", data={"uri": uri})
        contents = types.TextResourceContents(uri=uri, text=text, mime_type="text/plain")
        return types.ReadResourceResult(contents=[contents])

    async def _subscribe(
        self, ctx: ServerRequestContext[Any], params: types.SubscribeRequestParams
    ) -> types.EmptyResult:
        self._state(ctx).subscriptions.add(str(params.uri))
        return types.EmptyResult()

    async def _unsubscribe(
        self, ctx: ServerRequestContext[Any], params: types.UnsubscribeRequestParams
    ) -> types.EmptyResult:
        self._state(ctx).subscriptions.discard(str(params.uri))
        return types.EmptyResult()

    # ---------------------------------------------------------------- prompts

    async def _list_prompts(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        argument = types.PromptArgument(name="name", description="Who to greet.", required=True)
        prompt = types.Prompt(name="greet", description="Greet someone.", arguments=[argument])
        return types.ListPromptsResult(prompts=[prompt])

    async def _get_prompt(
        self, ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        if params.name != "greet":
            raise MCPError(types.INVALID_PARAMS, f"Unknown prompt: {params.name}")
        name = (params.arguments or {}).get("name", "")
        message = types.PromptMessage(role="user", content=types.TextContent(text=greeting(name)))
        return types.GetPromptResult(description="Greet someone.", messages=[message])

    async def _complete(
        self, ctx: ServerRequestContext[Any], params: types.CompleteRequestParams
    ) -> types.CompleteResult:
        ref, argument = params.ref, params.argument
        candidates: tuple[str, ...] = ()
        if isinstance(ref, types.PromptReference) and ref.name == "greet" and argument.name == "name":
            candidates = GREET_NAMES
        elif (
            isinstance(ref, types.ResourceTemplateReference)
            and ref.uri == ITEM_TEMPLATE
            and argument.name == "id"
        ):
            candidates = ITEM_IDS
        values = [value for value in candidates if value.startswith(argument.value)]
        return types.CompleteResult(
            completion=types.Completion(values=values, total=len(values), has_more=False)
        )

    # ---------------------------------------------------- handshake-era extras

    async def _set_level(
        self, ctx: ServerRequestContext[Any], params: types.SetLevelRequestParams
    ) -> types.EmptyResult:
        self._state(ctx).log_level = params.level
        return types.EmptyResult()

    async def _roots_list_changed(
        self, ctx: ServerRequestContext[Any], params: types.NotificationParams
    ) -> None:
        """Re-fetch the client's roots, as a real server would (on the standalone stream)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await ctx.session.list_roots()


def item_text(item_id: str) -> str:
    """The text of `resource://items/{item_id}`."""
    return f"Item {item_id}"


def greeting(name: str) -> str:
    """The text of the `greet` prompt's message."""
    return f"Hello, {name}!"


def _args(params: types.CallToolRequestParams) -> dict[str, Any]:
    return params.arguments or {}


def _at_least(level: types.LoggingLevel, minimum: types.LoggingLevel) -> bool:
    return LOG_LEVELS.index(level) >= LOG_LEVELS.index(minimum)


def _sampling_params(prompt: str) -> types.CreateMessageRequestParams:
    message = types.SamplingMessage(role="user", content=types.TextContent(text=prompt))
    return types.CreateMessageRequestParams(messages=[message], max_tokens=64)


def _via(ctx: ServerRequestContext[Any], request: types.Request[Any, Any]) -> str:
    return "input_required" if _is_modern(ctx) else request.method


def _not_in_modern_era(what: str) -> types.CallToolResult:
    result = _text(f"{what} does not exist at protocol version 2026-07-28")
    result.is_error = True
    return result


# ------------------------------------------------------------------ entry points


async def serve_stdio(server: Server[Any], recorder: MessageRecorder) -> None:
    async with stdio_server() as (read_stream, write_stream):
        await server.run(
            RecordingReadStream(read_stream, recorder), write_stream, server.create_initialization_options()
        )


class _AnnouncingUvicorn(uvicorn.Server):
    """Prints ``READY <url>`` to stdout once the listening socket is up."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        super().__init__(config)
        self._sock = sock

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host, port = self._sock.getsockname()[:2]
            print(f"READY http://{host}:{port}{MCP_PATH}", flush=True)


async def serve_http(server: Server[Any], recorder: MessageRecorder, port: int) -> None:
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, host="127.0.0.1")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(RecordingASGI(app, recorder), log_level="warning", lifespan="on")
    await _AnnouncingUvicorn(config, sock).serve(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--http", type=int, metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT/mcp"
    )
    parser.add_argument("--record", type=Path, metavar="FILE", help="append received messages as JSON lines")
    parser.add_argument("--name", default=DEFAULT_NAME, help="server name (serverInfo.name)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(name)s %(levelname)s: %(message)s"
    )

    server = EverythingServer(args.name).build()
    recorder = MessageRecorder(args.record)
    if args.http is None:
        anyio.run(serve_stdio, server, recorder)
    else:
        anyio.run(serve_http, server, recorder, args.http)


if __name__ == "__main__":
    main()

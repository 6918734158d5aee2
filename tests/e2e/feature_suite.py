"""Client-side suite that drives every MCP feature of ``everything_server.py``.

``exercise_all_features(server, mode=..., ns=...)`` connects an SDK ``mcp.Client`` to
``server`` (anything ``mcp.Client`` accepts) and exercises each feature the negotiated
protocol era offers, asserting on the results. Features that do not exist in that era
are recorded as not applicable, with the reason. The returned ``FeatureReport`` says
what was exercised and what was observed, so the same suite can be pointed at the
server directly or through a relay/gateway (``Namespacing`` maps the server's names to
the names the relay exposes).

Also here: helpers to launch the everything server (stdio parameters, an HTTP server
process) and to read the ``--record`` file it writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal, cast

import anyio
import mcp_types as types
from everything_server import (
    GREET_NAMES,
    HANG_PREFIX,
    ITEM_TEMPLATE,
    STATIC_TEXT,
    STATIC_URI,
    greeting,
    item_text,
)
from mcp import Client, StdioServerParameters
from mcp.client import ClientRequestContext, IncomingMessage, Transport
from mcp.client.subscriptions import ResourceUpdated, Subscription, ToolsListChanged
from mcp.server import MCPServer, Server
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from firewall.approve.approvers import ANSWER_FIELD
from tests.support.processes import popen, read_line

EVERYTHING_SERVER: Final = Path(__file__).with_name("everything_server.py")
STEP_TIMEOUT: Final = 10.0
"""Deadline (seconds) for each step of the suite."""
SUITE_TIMEOUT: Final = 60.0
"""Deadline (seconds) for the whole suite, connection and teardown included."""
ROOT_URI: Final = "file:///tmp/feature-suite-root"
BUILTIN_TOOLS: Final = (
    "echo",
    "add",
    "slow",
    "was_cancelled",
    "sample",
    "elicit",
    "roots",
    "log",
    "ping_client",
    "add_tool",
    "notify_resource",
    "cancel_sampling",
    "sampling_started",
    "standalone_log",
    "stop_standalone_log",
)

Era = Literal["legacy", "modern"]
ServerTarget = StdioServerParameters | Transport | str | Server[Any] | MCPServer
"""Anything `mcp.Client` connects to: stdio parameters, a transport, a URL, an in-process server."""


def _unchanged(name: str) -> str:
    return name


@dataclass(frozen=True)
class Namespacing:
    """How a relay renames the server's tools, prompts, resource URIs and URI templates."""

    tool: Callable[[str], str] = _unchanged
    prompt: Callable[[str], str] = _unchanged
    uri: Callable[[str], str] = _unchanged
    uri_template: Callable[[str], str] = _unchanged


IDENTITY: Final = Namespacing()


class Feature(StrEnum):
    """Every feature the suite accounts for, in each era either exercised or not applicable."""

    HANDSHAKE = "handshake"
    TOOLS_LIST = "tools/list"
    TOOL_CALL = "tools/call"
    STRUCTURED_OUTPUT = "structured tool output"
    PROGRESS = "progress"
    CLIENT_CANCELLATION = "client->server cancellation"
    SAMPLING = "sampling"
    ELICITATION = "elicitation"
    ROOTS = "roots"
    LOGGING = "logging"
    LOG_LEVEL = "log level"
    CLIENT_PING = "client->server ping"
    SERVER_PING = "server->client ping"
    RESOURCES_LIST = "resources/list"
    RESOURCE_READ = "resources/read"
    RESOURCE_TEMPLATES_LIST = "resources/templates/list"
    RESOURCE_TEMPLATE_READ = "resources/read (template)"
    RESOURCE_SUBSCRIPTION = "resource subscription"
    TOOLS_LIST_CHANGED = "tools list_changed"
    PROMPTS_LIST = "prompts/list"
    PROMPT_GET = "prompts/get"
    COMPLETION_PROMPT = "completion (prompt argument)"
    COMPLETION_TEMPLATE = "completion (template argument)"
    STANDALONE_STREAM = "standalone server stream"
    ROOTS_LIST_CHANGED = "roots list_changed"
    SERVER_CANCELLATION = "server->client cancellation"


_NOT_IN_MODERN: Final[dict[Feature, str]] = {
    Feature.CLIENT_PING: (
        "ping is not a client request at 2026-07-28 (absent from mcp_types.methods.CLIENT_REQUESTS; "
        "Client.send_ping is legacy-only)"
    ),
    Feature.SERVER_PING: (
        "2026-07-28 has no server-to-client requests (mcp_types.methods.SERVER_REQUESTS defines none; "
        "the runner wraps handlers in _NoServerRequestsDispatchContext)"
    ),
    Feature.SERVER_CANCELLATION: (
        "2026-07-28 has no server-to-client requests, so there is nothing for the server to cancel; "
        "input is requested with InputRequiredResult instead"
    ),
    Feature.ROOTS_LIST_CHANGED: (
        "notifications/roots/list_changed is not a client notification at 2026-07-28 "
        "(mcp_types.methods.CLIENT_NOTIFICATIONS only has notifications/cancelled)"
    ),
    Feature.STANDALONE_STREAM: (
        "2026-07-28 has no standalone server stream: Connection.log never sends, NotifyOnlyOutbound drops "
        "change notifications, and streamable HTTP has no GET stream; subscriptions/listen replaces it"
    ),
}


@dataclass
class FeatureReport:
    """What one run of the suite exercised and observed."""

    mode: str
    protocol_version: str = ""
    era: Era = "legacy"
    server_name: str | None = None
    exercised: dict[Feature, str] = field(default_factory=dict[Feature, str])
    """Feature -> the wire mechanism used for it in this era."""
    not_applicable: dict[Feature, str] = field(default_factory=dict[Feature, str])
    """Feature -> why it does not exist in this era."""
    tools: list[str] = field(default_factory=list[str])
    progress: list[tuple[float, float | None, str | None]] = field(default_factory=list)
    """(progress, total, message) of the completed `slow` call."""
    cancel_progress: list[float] = field(default_factory=list[float])
    """Progress values of the `slow` call the client cancelled."""
    cancel_token: str = ""
    """The `token` argument of the `slow` call the client cancelled (find it in a record file)."""
    log_messages: list[Any] = field(default_factory=list[Any])
    """`data` of every notifications/message received."""
    notifications: list[str] = field(default_factory=list[str])
    """Method of every server notification the client received, in order."""
    resource_updates: list[str] = field(default_factory=list[str])
    """URIs named by notifications/resources/updated (including subscriptions/listen events)."""
    listen_events: list[str] = field(default_factory=list[str])
    """Events received on the subscriptions/listen stream (2026-07-28)."""
    sampling_prompts: list[str] = field(default_factory=list[str])
    elicitation_messages: list[str] = field(default_factory=list[str])
    approval_questions: list[str] = field(default_factory=list[str])
    roots_requests: int = 0
    dynamic_tool: str | None = None
    """The (namespaced) name of the tool added at runtime."""
    server_cancelled_sampling: list[str] = field(default_factory=list[str])
    """Tokens of sampling requests the server cancelled while the client callback was parked."""
    transport_errors: list[str] = field(default_factory=list[str])

    @property
    def accounted(self) -> set[Feature]:
        return set(self.exercised) | set(self.not_applicable)

    def assert_complete(self) -> None:
        """Every feature was either exercised or explained as not applicable."""
        missing = set(Feature) - self.accounted
        assert not missing, f"features neither exercised nor marked not applicable: {sorted(missing)}"
        both = set(self.exercised) & set(self.not_applicable)
        assert not both, f"features both exercised and not applicable: {sorted(both)}"


# ------------------------------------------------------------------- the suite


async def exercise_all_features(
    server: ServerTarget, *, mode: str = "auto", ns: Namespacing = IDENTITY
) -> FeatureReport:
    """Connect to `server` and exercise every feature of the negotiated era; see the module docstring."""
    observer = _Observer(ns, FeatureReport(mode=mode))
    with _deadline("the whole feature suite", SUITE_TIMEOUT), _single_error_unwrapped():
        async with contextlib.AsyncExitStack() as stack:
            client = Client(
                server,
                mode=mode,
                cache=None,  # every list/read must reach the wire (and the relay under test)
                client_info=types.Implementation(name="feature-suite", version="1.0.0"),
                sampling_callback=observer.sampling,
                elicitation_callback=observer.elicitation,
                list_roots_callback=observer.list_roots,
                logging_callback=observer.logging,
                message_handler=observer.message,
                log_level="debug",  # the 2026-07-28 per-request log opt-in; no effect in the handshake era
            )
            # No step deadline here: the client's task groups outlive this statement, and a cancel
            # scope entered around them could not be exited. SUITE_TIMEOUT bounds the connection.
            await stack.enter_async_context(client)
            await _Suite(client, observer).run()
    observer.report.assert_complete()
    return observer.report


class _Observer:
    """The client callbacks; records what the server sent into the report."""

    def __init__(self, ns: Namespacing, report: FeatureReport) -> None:
        self.ns = ns
        self.report = report
        self._changed = anyio.Event()

    def touch(self) -> None:
        """Wake `wait_until` callers: something was observed."""
        self._changed.set()
        self._changed = anyio.Event()

    async def wait_until(self, predicate: Callable[[], bool], what: str) -> None:
        """Wait (under the step deadline) until a callback makes `predicate` true."""
        with _deadline(f"waiting for {what}"):
            while not predicate():
                await self._changed.wait()

    async def sampling(
        self, context: ClientRequestContext, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult:
        content = params.messages[0].content
        prompt = content.text if isinstance(content, types.TextContent) else ""
        self.report.sampling_prompts.append(prompt)
        self.touch()
        if prompt.startswith(HANG_PREFIX):
            await self._park_until_cancelled(context, prompt.removeprefix(HANG_PREFIX))
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(text=f"sampled: {prompt}"),
            model="feature-suite-model",
            stop_reason="endTurn",
        )

    async def _park_until_cancelled(self, context: ClientRequestContext, token: str) -> None:
        """Tell the server the request arrived, then hang until the server cancels it."""
        try:
            await context.session.call_tool(self.ns.tool("sampling_started"), {"token": token})
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            self.report.server_cancelled_sampling.append(token)
            self.touch()
            raise

    async def elicitation(
        self, context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        self.report.elicitation_messages.append(params.message)
        self.touch()
        schema = params.model_dump(by_alias=True).get("requestedSchema") or {}
        if ANSWER_FIELD in (schema.get("properties") or {}):
            # The firewall's own approval question (the suite's dynamically added tool is asked
            # about: a tool that appears mid-session is a change); the person in this suite approves.
            self.report.approval_questions.append(params.message)
            return types.ElicitResult(action="accept", content={ANSWER_FIELD: "once"})
        return types.ElicitResult(action="accept", content={"answer": f"answer to {params.message}"})

    async def list_roots(self, context: ClientRequestContext) -> types.ListRootsResult:
        self.report.roots_requests += 1
        self.touch()
        return types.ListRootsResult(
            roots=[types.Root.model_validate({"uri": ROOT_URI, "name": "suite-root"})]
        )

    async def logging(self, params: types.LoggingMessageNotificationParams) -> None:
        self.report.log_messages.append(params.data)
        self.touch()

    async def message(self, message: IncomingMessage) -> None:
        if isinstance(message, Exception):
            self.report.transport_errors.append(repr(message))
        else:
            self.report.notifications.append(message.method)
            if isinstance(message, types.ResourceUpdatedNotification):
                self.report.resource_updates.append(message.params.uri)
        self.touch()


class _Suite:
    def __init__(self, client: Client, observer: _Observer) -> None:
        self.client = client
        self.observer = observer
        self.ns = observer.ns
        self.report = observer.report
        self.modern = client.protocol_version in MODERN_PROTOCOL_VERSIONS

    async def run(self) -> None:
        self._handshake()
        if self.modern:
            self.report.not_applicable.update(_NOT_IN_MODERN)
        steps = [
            self._tools,
            self._progress,
            self._client_cancellation,
            self._sampling,
            self._elicitation,
            self._roots,
            self._logging,
            self._resources,
            self._prompts,
            self._completion,
            self._change_notifications,
        ]
        if not self.modern:
            steps += [
                self._pings,
                self._standalone_stream,
                self._roots_list_changed,
                self._server_cancellation,
            ]
        for step in steps:
            with _deadline(step.__name__.strip("_").replace("_", " ")):
                await step()

    def _exercised(self, feature: Feature, mechanism: str) -> None:
        self.report.exercised[feature] = mechanism

    async def _call(
        self, tool: str, arguments: dict[str, Any] | None = None, **kwargs: Any
    ) -> types.CallToolResult:
        result = await self.client.call_tool(self.ns.tool(tool), arguments or {}, **kwargs)
        assert not result.is_error, f"tool {tool!r} failed: {result.content}"
        return result

    async def _structured(
        self, tool: str, arguments: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        result = await self._call(tool, arguments, **kwargs)
        assert isinstance(result.structured_content, dict), (
            f"{tool!r} returned no structured content: {result}"
        )
        return result.structured_content

    # ------------------------------------------------------------------ steps

    def _handshake(self) -> None:
        report, client = self.report, self.client
        report.protocol_version = client.protocol_version
        report.era = "modern" if self.modern else "legacy"
        report.server_name = client.server_info.name if client.server_info is not None else None
        if self.modern and report.mode != "auto":
            # A pinned version adopts a synthesized DiscoverResult: no handshake on the wire,
            # and no server capabilities to check (Client._synthesize_discover).
            self._exercised(Feature.HANDSHAKE, f"none (version pinned to {report.mode})")
            return
        caps = client.server_capabilities
        assert caps.tools is not None and caps.tools.list_changed, f"tools.listChanged not advertised: {caps}"
        assert caps.resources is not None and caps.resources.subscribe, (
            f"resources.subscribe not advertised: {caps}"
        )
        assert caps.prompts is not None, f"prompts not advertised: {caps}"
        assert caps.completions is not None, f"completions not advertised: {caps}"
        if self.modern:
            self._exercised(Feature.HANDSHAKE, "server/discover")
        else:
            assert caps.logging is not None, f"logging not advertised: {caps}"
            assert report.server_name, "initialize result carries no serverInfo.name"
            self._exercised(Feature.HANDSHAKE, "initialize")

    async def _tools(self) -> None:
        listed = await self.client.list_tools()
        self.report.tools = [tool.name for tool in listed.tools]
        expected = {self.ns.tool(name) for name in BUILTIN_TOOLS}
        assert expected <= set(self.report.tools), f"tools missing: {expected - set(self.report.tools)}"
        self._exercised(Feature.TOOLS_LIST, "tools/list")

        echo = await self._call("echo", {"text": "hello relay"})
        assert [_text_of(block) for block in echo.content] == ["hello relay"], f"echo returned {echo.content}"
        assert echo.structured_content == {"text": "hello relay"}, f"echo returned {echo.structured_content}"
        self._exercised(Feature.TOOL_CALL, "tools/call")

        added = await self._structured("add", {"a": 2, "b": 3.5})
        assert added == {"sum": 5.5}, f"add returned {added}"
        self._exercised(Feature.STRUCTURED_OUTPUT, "structuredContent + outputSchema")

    async def _progress(self) -> None:
        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            self.report.progress.append((progress, total, message))
            self.observer.touch()

        result = await self._call("slow", {"steps": 3, "delay": 0}, progress_callback=on_progress)
        assert _text_of(result.content[0]) == "completed 3 steps", f"slow returned {result.content}"
        await self.observer.wait_until(lambda: len(self.report.progress) >= 3, "3 progress notifications")
        assert [(p, t) for p, t, _ in self.report.progress] == [(1, 3), (2, 3), (3, 3)], self.report.progress
        self._exercised(Feature.PROGRESS, "notifications/progress")

    async def _client_cancellation(self) -> None:
        """Cancel an in-flight call the 2.x way: cancel the scope around `call_tool`."""
        token = self.report.cancel_token = f"cancel-{uuid.uuid4().hex}"
        started = anyio.Event()
        completed = False

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            self.report.cancel_progress.append(progress)
            started.set()

        call_scope = anyio.CancelScope()

        async def call_slow() -> None:
            nonlocal completed
            with call_scope:
                await self.client.call_tool(
                    self.ns.tool("slow"),
                    {"steps": 100_000, "delay": 0.01, "token": token},
                    progress_callback=on_progress,
                )
                completed = True

        async with anyio.create_task_group() as tg:
            tg.start_soon(call_slow)
            await started.wait()  # the server is running the call
            call_scope.cancel()
        assert not completed, "the cancelled slow call completed"
        seen = await self._structured("was_cancelled", {"token": token})
        assert seen == {"cancelled": True}, f"the server did not see the cancellation: {seen}"
        self._exercised(
            Feature.CLIENT_CANCELLATION,
            "notifications/cancelled (closes the POST on 2026-07-28 streamable HTTP)"
            if self.modern
            else "notifications/cancelled",
        )

    def _input_mechanism(self, legacy_method: str) -> str:
        return "input_required" if self.modern else legacy_method

    async def _sampling(self) -> None:
        via = self._input_mechanism("sampling/createMessage")
        result = await self._structured("sample", {"prompt": "write a haiku"})
        assert result == {"text": "sampled: write a haiku", "via": via}, f"sample returned {result}"
        assert "write a haiku" in self.report.sampling_prompts, self.report.sampling_prompts
        self._exercised(Feature.SAMPLING, via)

    async def _elicitation(self) -> None:
        via = self._input_mechanism("elicitation/create")
        result = await self._structured("elicit", {"question": "favourite colour?"})
        expected = {"action": "accept", "answer": "answer to favourite colour?", "via": via}
        assert result == expected, f"elicit returned {result}"
        assert "favourite colour?" in self.report.elicitation_messages, self.report.elicitation_messages
        self._exercised(Feature.ELICITATION, via)

    async def _roots(self) -> None:
        before = self.report.roots_requests
        via = self._input_mechanism("roots/list")
        result = await self._structured("roots")
        assert result == {"roots": [ROOT_URI], "via": via}, f"roots returned {result}"
        assert self.report.roots_requests > before, "the list_roots callback was not called"
        self._exercised(Feature.ROOTS, via)

    async def _logging(self) -> None:
        delivered = f"log-{uuid.uuid4().hex}"
        filtered = f"filtered-{uuid.uuid4().hex}"
        if self.modern:
            # The client stamps `_meta` logLevel=debug on every request (Client(log_level=...)).
            sent = await self._structured("log", {"msg": delivered, "level": "info"})
            assert sent == {"sent": True, "level": "info", "minLevel": "debug"}, sent
            # A per-request `_meta` entry overrides the client default.
            meta = cast(types.RequestParamsMeta, {types.LOG_LEVEL_META_KEY: "warning"})
            dropped = await self._structured("log", {"msg": filtered, "level": "info"}, meta=meta)
            assert dropped == {"sent": False, "level": "info", "minLevel": "warning"}, dropped
            self._exercised(Feature.LOG_LEVEL, f"_meta {types.LOG_LEVEL_META_KEY} (per request)")
        else:
            with _legacy_api():
                await self.client.set_logging_level("info")
            dropped = await self._structured("log", {"msg": filtered, "level": "debug"})
            assert dropped == {"sent": False, "level": "debug", "minLevel": "info"}, dropped
            sent = await self._structured("log", {"msg": delivered, "level": "info"})
            assert sent == {"sent": True, "level": "info", "minLevel": "info"}, sent
            self._exercised(Feature.LOG_LEVEL, "logging/setLevel")
        await self.observer.wait_until(lambda: delivered in self.report.log_messages, "the log message")
        assert filtered not in self.report.log_messages, "a filtered log message was delivered"
        self._exercised(Feature.LOGGING, "notifications/message")

    async def _pings(self) -> None:
        with _legacy_api():
            await self.client.send_ping()
        self._exercised(Feature.CLIENT_PING, "ping")
        pong = await self._call("ping_client")
        assert _text_of(pong.content[0]) == "pong", pong.content
        self._exercised(Feature.SERVER_PING, "ping")

    async def _resources(self) -> None:
        ns = self.ns
        listed = await self.client.list_resources()
        assert ns.uri(STATIC_URI) in [str(r.uri) for r in listed.resources], listed.resources
        self._exercised(Feature.RESOURCES_LIST, "resources/list")

        read = await self.client.read_resource(ns.uri(STATIC_URI))
        assert [(str(c.uri), _text_of(c)) for c in read.contents] == [(ns.uri(STATIC_URI), STATIC_TEXT)], read
        self._exercised(Feature.RESOURCE_READ, "resources/read")

        templates = await self.client.list_resource_templates()
        listed_templates = [t.uri_template for t in templates.resource_templates]
        assert ns.uri_template(ITEM_TEMPLATE) in listed_templates, listed_templates
        self._exercised(Feature.RESOURCE_TEMPLATES_LIST, "resources/templates/list")

        item_uri = ns.uri(ITEM_TEMPLATE.replace("{id}", "42"))
        item = await self.client.read_resource(item_uri)
        assert [(str(c.uri), _text_of(c)) for c in item.contents] == [(item_uri, item_text("42"))], item
        self._exercised(Feature.RESOURCE_TEMPLATE_READ, "resources/read")

    async def _prompts(self) -> None:
        listed = await self.client.list_prompts()
        prompts = {prompt.name: prompt for prompt in listed.prompts}
        greet = prompts.get(self.ns.prompt("greet"))
        assert greet is not None, f"greet prompt missing from {list(prompts)}"
        assert [argument.name for argument in greet.arguments or []] == ["name"], greet.arguments
        self._exercised(Feature.PROMPTS_LIST, "prompts/list")

        got = await self.client.get_prompt(self.ns.prompt("greet"), {"name": "relay"})
        assert [_text_of(m.content) for m in got.messages] == [greeting("relay")], got.messages
        self._exercised(Feature.PROMPT_GET, "prompts/get")

    async def _completion(self) -> None:
        prompt_ref = types.PromptReference(name=self.ns.prompt("greet"))
        names = await self.client.complete(prompt_ref, {"name": "name", "value": "al"})
        assert names.completion.values == [n for n in GREET_NAMES if n.startswith("al")], names.completion
        self._exercised(Feature.COMPLETION_PROMPT, "completion/complete")

        template_ref = types.ResourceTemplateReference(uri=self.ns.uri_template(ITEM_TEMPLATE))
        ids = await self.client.complete(template_ref, {"name": "id", "value": "4"})
        assert ids.completion.values == ["42"], ids.completion
        self._exercised(Feature.COMPLETION_TEMPLATE, "completion/complete")

    async def _change_notifications(self) -> None:
        if self.modern:
            await self._listen()
        else:
            await self._subscribe()

    async def _subscribe(self) -> None:
        """Handshake era: resources/subscribe + notifications/*; tools/list_changed."""
        uri = self.ns.uri(STATIC_URI)
        with _legacy_api():
            await self.client.subscribe_resource(uri)
        assert await self._structured("notify_resource") == {"sent": True}
        await self.observer.wait_until(
            lambda: uri in self.report.resource_updates, f"resources/updated for {uri}"
        )
        with _legacy_api():
            await self.client.unsubscribe_resource(uri)
        assert await self._structured("notify_resource") == {"sent": False}, (
            "unsubscribe did not reach the server"
        )
        self._exercised(
            Feature.RESOURCE_SUBSCRIPTION, "resources/subscribe + notifications/resources/updated"
        )

        await self._add_tool()
        await self.observer.wait_until(
            lambda: "notifications/tools/list_changed" in self.report.notifications, "tools/list_changed"
        )
        await self._call_dynamic_tool()
        self._exercised(Feature.TOOLS_LIST_CHANGED, "notifications/tools/list_changed")

    async def _listen(self) -> None:
        """2026-07-28: one subscriptions/listen stream carries both kinds of change event."""
        uri = self.ns.uri(STATIC_URI)
        async with self.client.listen(tools_list_changed=True, resource_subscriptions=[uri]) as subscription:
            assert subscription.honored.tools_list_changed, (
                f"tools_list_changed not honored: {subscription.honored}"
            )
            assert subscription.honored.resource_subscriptions, f"URIs not honored: {subscription.honored}"

            assert await self._structured("notify_resource") == {"sent": True}
            event = await self._next_event(subscription)
            assert event == ResourceUpdated(uri=uri), f"expected resources/updated for {uri}, got {event}"
            self._exercised(Feature.RESOURCE_SUBSCRIPTION, "subscriptions/listen (resourceSubscriptions)")

            await self._add_tool()
            event = await self._next_event(subscription)
            assert event == ToolsListChanged(), f"expected tools/list_changed, got {event}"
            await self._call_dynamic_tool()
            self._exercised(Feature.TOOLS_LIST_CHANGED, "subscriptions/listen (toolsListChanged)")

    async def _next_event(self, subscription: Subscription) -> object:
        event = await anext(subscription)
        self.report.listen_events.append(repr(event))
        return event

    async def _add_tool(self) -> None:
        added = await self._structured("add_tool")
        self.report.dynamic_tool = self.ns.tool(str(added["name"]))

    async def _call_dynamic_tool(self) -> None:
        name = self.report.dynamic_tool
        assert name is not None
        listed = await self.client.list_tools()
        assert name in [tool.name for tool in listed.tools], f"{name} not listed after list_changed"
        result = await self.client.call_tool(name, {})
        assert not result.is_error, result.content

    async def _standalone_stream(self) -> None:
        """Server messages outside any request (the GET stream on streamable HTTP)."""
        token = uuid.uuid4().hex
        marker = f"standalone:{token}"
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._call, "standalone_log", {"token": token})
            await self.observer.wait_until(
                lambda: marker in self.report.log_messages, "a standalone log message"
            )
            await self._call("stop_standalone_log", {"token": token})
        self._exercised(Feature.STANDALONE_STREAM, "notifications/message outside a request")

    async def _roots_list_changed(self) -> None:
        """The server answers roots/list_changed by asking for roots again (on the standalone stream)."""
        before = self.report.roots_requests
        with _legacy_api():
            await self.client.send_roots_list_changed()
        await self.observer.wait_until(
            lambda: self.report.roots_requests > before, "roots/list after list_changed"
        )
        self._exercised(Feature.ROOTS_LIST_CHANGED, "notifications/roots/list_changed")

    async def _server_cancellation(self) -> None:
        token = uuid.uuid4().hex
        result = await self._structured("cancel_sampling", {"token": token})
        assert result == {"cancelled": True}, f"cancel_sampling returned {result}"
        await self.observer.wait_until(
            lambda: token in self.report.server_cancelled_sampling,
            "the parked sampling callback to be cancelled",
        )
        self._exercised(Feature.SERVER_CANCELLATION, "notifications/cancelled (server->client)")


def _text_of(value: object) -> str:
    text = getattr(value, "text", None)
    assert isinstance(text, str), f"expected text content, got {value!r}"
    return text


@contextlib.contextmanager
def _deadline(what: str, seconds: float = STEP_TIMEOUT) -> Iterator[None]:
    try:
        with anyio.fail_after(seconds):
            yield
    except TimeoutError:
        raise AssertionError(f"timed out after {seconds}s: {what}") from None


@contextlib.contextmanager
def _single_error_unwrapped() -> Iterator[None]:
    """Re-raise a lone failure (e.g. an AssertionError) out of the SDK's task-group wrappers."""
    try:
        yield
    except BaseExceptionGroup as group:
        leaves = _leaf_exceptions(group)
        if len(leaves) == 1 and isinstance(leaves[0], Exception):
            raise leaves[0] from group
        raise


def _leaf_exceptions(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaf_exceptions(inner)]
    return [error]


@contextlib.contextmanager
def _legacy_api() -> Iterator[None]:
    """Call an SDK API that is deprecated as of 2026-07-28 (still current in the handshake era)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        yield


# ------------------------------------------------------------ launching servers


def _server_args(record: Path | None, name: str | None) -> list[str]:
    args = [str(EVERYTHING_SERVER)]
    if record is not None:
        args += ["--record", str(record)]
    if name is not None:
        args += ["--name", name]
    return args


def everything_stdio(*, record: Path | None = None, name: str | None = None) -> StdioServerParameters:
    """Parameters that launch the everything server over stdio with this interpreter."""
    return StdioServerParameters(command=sys.executable, args=_server_args(record, name))


def everything_command(*, record: Path | None = None, name: str | None = None) -> list[str]:
    """The stdio command line (for relays that spawn the server themselves)."""
    return [sys.executable, *_server_args(record, name)]


@contextlib.contextmanager
def everything_http(
    *, record: Path | None = None, name: str | None = None, port: int = 0, startup_timeout: float = 15.0
) -> Iterator[str]:
    """Run the everything server over streamable HTTP; yields its URL once it accepts connections.

    `port` 0 lets the OS pick a free port. The process is killed on exit.
    """
    command = [*everything_command(record=record, name=name), "--http", str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with popen(command, kill=True, stdout=subprocess.PIPE, env=env) as process:
        yield _await_ready_line(process, startup_timeout)


def _await_ready_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    line = read_line(process, timeout, what="the everything server (not started)").strip()
    if not line.startswith("READY "):
        raise RuntimeError(f"everything server failed to start (exit code {process.poll()}): {line!r}")
    return line.removeprefix("READY ")


# ------------------------------------------------------------ the record file


@dataclass(frozen=True)
class RecordedMessage:
    """One request or notification the everything server received (`--record`)."""

    method: str
    params: dict[str, Any] | None
    id: str | int | None = None
    """The JSON-RPC id; None for notifications."""

    @property
    def is_request(self) -> bool:
        return self.id is not None

    @property
    def arguments(self) -> dict[str, Any]:
        """`params.arguments` of a tools/call ({} otherwise)."""
        return dict((self.params or {}).get("arguments") or {})


def read_record(path: Path) -> list[RecordedMessage]:
    """Parse a `--record` file (missing file: nothing received)."""
    if not path.exists():
        return []
    records: list[RecordedMessage] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            records.append(RecordedMessage(method=raw["method"], params=raw.get("params"), id=raw.get("id")))
    return records


def recorded_methods(records: Sequence[RecordedMessage]) -> list[str]:
    return [record.method for record in records]


def tool_calls(records: Sequence[RecordedMessage], tool: str) -> list[RecordedMessage]:
    """The tools/call requests for `tool` (the server-side name) that reached the server."""
    return [r for r in records if r.method == "tools/call" and (r.params or {}).get("name") == tool]


def cancellations_of(records: Sequence[RecordedMessage], request: RecordedMessage) -> list[RecordedMessage]:
    """The notifications/cancelled received after `request` (an element of `records`) naming its id.

    Ids are only unique per connection: give each test its own server (and record file)
    when several clients may reuse an id.
    """
    start = next(index for index, record in enumerate(records) if record is request)
    return [
        r
        for r in records[start + 1 :]
        if r.method == "notifications/cancelled" and str((r.params or {}).get("requestId")) == str(request.id)
    ]


def cancelled_slow_call(records: Sequence[RecordedMessage], report: FeatureReport) -> RecordedMessage:
    """The `slow` call the suite cancelled (by its token), as the server received it."""
    calls = [r for r in tool_calls(records, "slow") if r.arguments.get("token") == report.cancel_token]
    assert len(calls) == 1, f"expected one slow call with token {report.cancel_token}, got {calls}"
    return calls[0]

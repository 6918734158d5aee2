"""Relays one agent session to its downstream servers, putting every decision through the firewall.

One Relay serves both entry points. `wrap` is transparent: one server, names untouched, the
handshake, lists and unknown methods forwarded as they are, so both protocol eras and any method
the firewall does not inspect pass without re-validation. Given a Naming, the relay fronts several
servers through a Gateway (gateway.py): names are namespaced, lists merged, and the handshake
answered by the firewall. Either way every decision is taken here, on the same paths. Request ids
are always remapped per server (link.py), so ids from different peers never collide.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import anyio
from anyio.abc import TaskGroup
from mcp.shared.message import ServerMessageMetadata, SessionMessage
from mcp.shared.subscriptions import SUBSCRIPTION_ID_META_KEY
from mcp_types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    RequestId,
)

from firewall.approve.approvers import (
    DEFER,
    Approver,
    Deferred,
    FixedAnswer,
    answer_from_elicitation,
    elicitation_params,
)
from firewall.approve.question import Answer
from firewall.approve.request_state import INPUT_KEY, PREFIX, InvalidState, request_digest
from firewall.core import payloads
from firewall.core.errors import AuditWriteError, ServerDown
from firewall.core.events import (
    CHANNELS,
    OTHER,
    ContentEvent,
    Decision,
    ToolCall,
    Verdict,
)
from firewall.core.payloads import apply_verdict, remove_paths
from firewall.guard.session import FirewallSession
from firewall.proxy import wire
from firewall.proxy.asking import ClientAsker, ElicitationApprover, modern_client
from firewall.proxy.framing import describe_bad_message
from firewall.proxy.gateway import Gateway
from firewall.proxy.link import LISTS, Link, Pending, own_request_meta
from firewall.proxy.naming import Naming
from firewall.proxy.sdk import ReadStream, WriteStream

log = logging.getLogger(__name__)

# Server-to-agent content the firewall decides on before the agent (or its model) sees it.
_CONTENT_RESULTS = frozenset({"resources/read", "prompts/get"})
_CONTENT_REQUESTS = frozenset({"sampling/createMessage", "elicitation/create"})
# Replies whose content is decided too (every other reply is, when it holds any string): the
# handshake, lists in wrap, completions, tasks. See docs/channels.md.
_HANDSHAKES = frozenset({"initialize", "server/discover"})
_TASK_STATUS = frozenset({"tasks/get", "tasks/cancel", "tasks/list"})
_CHECKED_RESULTS = frozenset({*_HANDSHAKES, *_TASK_STATUS, "tasks/result", "completion/complete", *LISTS})
_ID_KEYS = frozenset({"progressToken", "requestId", "resultType"})
"""Top-level strings that alone carry no server text: id echoes and the 2026-07-28 result type."""
MAX_TASKS = 10_000
"""Task ids remembered per session (the call each belongs to, for tasks/result); oldest forgotten."""


def _has_text(value: Any, ignore: frozenset[str] = _ID_KEYS) -> bool:
    """Whether a payload holds any string (top-level id echoes aside): what has none carries no text
    to inspect, and passes without a decision (a bare progress tick, a list-changed signal)."""
    if isinstance(value, str):
        return True
    if isinstance(value, dict):
        return any(_has_text(item, frozenset()) for key, item in value.items() if key not in ignore)
    if isinstance(value, list):
        return any(_has_text(item, frozenset()) for item in value)
    return False


def _request_id(value: Any) -> RequestId | None:
    """value when it can be a JSON-RPC id (an integer or a string), else None; never a bool."""
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


def _progress_token(params: dict[str, Any] | None) -> str | int | None:
    meta = (params or {}).get("_meta")
    return _request_id(meta.get("progressToken")) if isinstance(meta, dict) else None


def _envelope_problem(method: str, params: dict[str, Any] | None) -> str | None:
    """Why a message's params are unusable before any routing, or None. A tool call is decided on
    exactly what would be forwarded, so arguments that are not an object are refused, not guessed."""
    params = params or {}
    if "_meta" in params and not isinstance(params["_meta"], dict):
        return "params._meta must be an object"
    if method == "tools/call":
        if not isinstance(params.get("name"), str):
            return "params.name must be a string"
        if "arguments" in params and not isinstance(params["arguments"], dict | None):
            return "params.arguments must be an object"
        if _non_finite(params.get("arguments")):
            return "params.arguments must be JSON: NaN and Infinity are not JSON numbers"
    return None


def _non_finite(value: Any) -> bool:
    """Whether a parsed value holds NaN or an infinity. The SDK's parser accepts them (JSON has
    neither; 1e400 overflows to inf) and its serialiser writes null: such a call would be decided
    on one value and run on another."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(item) for item in value.values())
    if isinstance(value, list):
        return any(_non_finite(item) for item in value)
    return False


class Relay:
    """One agent session: every message from the agent and from its servers, relayed or answered.

    Without a Naming the relay is transparent and fronts exactly one server (wrap); with one it
    fronts several through a Gateway.
    """

    def __init__(
        self,
        session: FirewallSession,
        client_receive: ReadStream[SessionMessage | Exception],
        client_send: WriteStream[SessionMessage],
        links: dict[str, Link],
        naming: Naming | None = None,
        *,
        request_timeout: float = math.inf,
    ) -> None:
        if naming is None and len(links) != 1:
            raise ValueError("a transparent relay fronts exactly one server")
        self.session = session
        """Every decision goes through the same in-process API the adapters use; the session's
        state holds the one tool catalog of its servers."""
        self.client_receive = client_receive
        self.client_send = client_send
        self.links = links
        self.gateway = None if naming is None else Gateway(naming, links)
        self.request_timeout = request_timeout
        for link in links.values():
            link.timeout = request_timeout
        self.server_down: str | None = None
        """Set when a server exits; a transparent relay then ends (the wrapper exits non-zero)."""
        # agent request id -> (link, downstream id); downstream id None while the firewall decides.
        self._client_calls: dict[RequestId, tuple[Link | None, int | None]] = {}
        self._cancelled: set[RequestId] = set()
        # id the agent sees for a server's request -> (link, the server's id), and back.
        self._server_requests: dict[int, tuple[Link, RequestId]] = {}
        self._server_request_ids: dict[tuple[str, RequestId], int] = {}
        self._progress: dict[str | int, RequestId] = {}
        # (server, taskId) -> the task-augmented tools/call it runs: its tasks/result is that
        # call's result, and is decided as one.
        self._tasks: dict[tuple[str, str], ToolCall] = {}
        self._ids = itertools.count(1)
        self._tg: TaskGroup | None = None
        # Agent requests not answered yet: at the agent's EOF the relay delivers these, then ends.
        self._open: set[RequestId] = set()
        self._answered = anyio.Event()
        self.approval = session.firewall.approval
        self.asker = ClientAsker(self._to_client, timeout=self.approval.timeout)
        """The firewall's own approval questions to the client (handshake era)."""

    @property
    def transparent(self) -> bool:
        """Whether this is the one-server relay of `wrap` (no names rewritten, nothing merged)."""
        return self.gateway is None

    # -- running -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until the agent disconnects (after answering what it asked) or the relay ends."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            for link in self.links.values():
                tg.start_soon(self._pump_server, link)
            if self.request_timeout < math.inf:
                tg.start_soon(self._watchdog)
            try:
                await self._pump_client()
                await self._drain()
            finally:
                tg.cancel_scope.cancel()

    async def _drain(self) -> None:
        """The agent closed its side: refuse the servers' questions it can no longer answer, and
        deliver the replies still in flight (each is bounded by the request timeout)."""
        for agent_id, (link, original_id) in list(self._server_requests.items()):
            del self._server_requests[agent_id]
            self._server_request_ids.pop((link.name, original_id), None)
            with suppress(ServerDown):
                await link.send(wire.error(original_id, INTERNAL_ERROR, "the agent disconnected"))
        with anyio.move_on_after(self.request_timeout + 5):
            while self._open:
                await self._answered.wait()
                self._answered = anyio.Event()

    async def _watchdog(self) -> None:
        """Answer the agent's requests that a server left unanswered past their deadline."""
        period = min(1.0, self.request_timeout / 4)
        while True:
            await anyio.sleep(period)
            now = anyio.current_time()
            for link in self.links.values():
                for downstream_id, pending in list(link.pending.items()):
                    if pending.client_id is not None and pending.deadline <= now:
                        await self._time_out(link, downstream_id, pending)

    async def _time_out(self, link: Link, downstream_id: int, pending: Pending) -> None:
        assert pending.client_id is not None
        await link.abandon(downstream_id, "mcp-firewall: request timed out")
        self._client_calls.pop(pending.client_id, None)
        self._forget_progress(pending)
        message = (
            f"server {link.name!r} did not answer {pending.method} within "
            f"{self.request_timeout:g} s; the firewall cancelled it"
        )
        log.warning("%s", message)
        await self._to_client(wire.error(pending.client_id, wire.REQUEST_TIMED_OUT, message))

    def _spawn(
        self, fn: Callable[..., Awaitable[None]], *args: Any, answers: RequestId | None = None
    ) -> None:
        """Run fn in its own task; `answers` is the agent request it must answer even if fn fails."""
        assert self._tg is not None
        self._tg.start_soon(self._guarded, fn, args, answers)

    async def _guarded(
        self, fn: Callable[..., Awaitable[None]], args: tuple[Any, ...], answers: RequestId | None
    ) -> None:
        try:
            await fn(*args)
        except ServerDown as exc:
            log.warning("%s", exc)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            log.info("client connection closed while answering")
        except AuditWriteError as exc:  # the decision cannot be recorded, so it does not take effect
            log.error("%s", exc)
            if answers is not None:
                await self._to_client(wire.error(answers, INTERNAL_ERROR, f"mcp-firewall: {exc}"))
        except Exception as exc:  # a bug or a malformed peer message: fail this request closed, keep serving
            log.exception("internal error while handling %s", getattr(fn, "__name__", fn))
            if answers is not None:
                await self._to_client(
                    wire.error(answers, INTERNAL_ERROR, f"mcp-firewall internal error: {exc}")
                )

    async def _to_client(self, message: JSONRPCMessage, related: RequestId | None = None) -> None:
        metadata = ServerMessageMetadata(related_request_id=related) if related is not None else None
        try:
            await self.client_send.send(SessionMessage(message, metadata=metadata))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            log.info("the agent's connection is closed; ending the session")
            self._end()
        # Only once it is handed over: a relay draining at the agent's EOF ends when none is open.
        if isinstance(message, JSONRPCResponse | JSONRPCError) and message.id in self._open:
            self._open.discard(message.id)
            self._answered.set()

    def _end(self) -> None:
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    async def _pump_client(self) -> None:
        try:
            await self._read_client()
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            log.info("the agent's connection closed")

    async def _read_client(self) -> None:
        async for item in self.client_receive:
            message = None if isinstance(item, Exception) else item.message
            try:
                if isinstance(item, Exception):
                    await self._client_garbage(item)
                elif isinstance(message, JSONRPCRequest):
                    if await self._refused_request(message):
                        continue
                    self._open.add(message.id)
                    await self._client_request(message)
                elif isinstance(message, JSONRPCNotification):
                    await self._client_notification(message)
                elif message is not None:
                    await self._client_response(message)
            except ServerDown as exc:
                log.warning("%s", exc)
                if isinstance(message, JSONRPCRequest):
                    self._client_calls.pop(message.id, None)
                    await self._to_client(wire.error(message.id, wire.SERVER_UNAVAILABLE, str(exc)))
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                raise
            except Exception as exc:  # a bug or a peer message nobody foresaw: refuse it, keep serving
                log.exception("internal error on a message from the client")
                if isinstance(message, JSONRPCRequest):
                    self._client_calls.pop(message.id, None)
                    await self._to_client(
                        wire.error(message.id, INTERNAL_ERROR, f"mcp-firewall internal error: {exc}")
                    )

    async def _refused_request(self, message: JSONRPCRequest) -> bool:
        """Refuse (and answer) a request the relay must not act on; True when it did."""
        problem = _envelope_problem(message.method, message.params)
        code = INVALID_PARAMS
        if problem is None and message.id in self._open:
            problem, code = f"request id {message.id!r} is already in flight", wire.INVALID_REQUEST
        if problem is None:
            return False
        log.warning("refused a %s request from the client: %s", message.method, problem)
        self._audit_refusal(message.method, message.params, problem, message.id)
        await self._to_client(wire.error(message.id, code, problem))
        return True

    def _audit_refusal(
        self, method: str, params: dict[str, Any] | None, reason: str, request_id: RequestId | None = None
    ) -> None:
        """An audit record for a message refused before any decision (it is never forwarded)."""
        verdict = Verdict.deny("firewall.invalid_message", reason, stage="relay")
        server = next(iter(self.links)) if self.transparent else ""
        if method == "tools/call":
            params = params or {}
            arguments = params.get("arguments")
            event: ToolCall | ContentEvent = ToolCall(
                self.session.info,
                server,
                str(params.get("name")),
                arguments if isinstance(arguments, dict) else {},
                request_id if request_id is not None else "",
            )
        else:
            event = ContentEvent(self.session.info, server, method, {"reason": reason})
        try:
            self.session.record(event, verdict, method=method)
        except AuditWriteError as exc:  # the refusal stands: nothing was forwarded
            log.error("%s", exc)

    async def _pump_server(self, link: Link) -> None:
        async for item in link.receive:
            try:
                if isinstance(item, Exception):
                    await self._server_garbage(link, item)
                    continue
                message = item.message
                if isinstance(message, JSONRPCRequest):
                    await self._server_request(link, message)
                elif isinstance(message, JSONRPCNotification):
                    await self._server_notification(link, message)
                else:
                    await self._server_response(link, message)
            except ServerDown as exc:
                log.warning("%s", exc)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                raise
            except Exception:  # one bad server message must not take the relay (or other servers) down
                log.exception("internal error on a message from server %s; dropped", link.name)
        await self._server_exited(link)

    # -- agent -> server ---------------------------------------------------------------------------

    async def _client_request(self, message: JSONRPCRequest) -> None:
        token = _progress_token(message.params)
        if token is not None:
            self._progress[token] = message.id
        method = message.method
        if method == "initialize":
            self.asker.note_initialize(message.params)
        if method == "tools/call":
            self._client_calls[message.id] = (None, None)
            self._spawn(self._tool_call, message, answers=message.id)
        elif self.gateway is None:
            (link,) = self.links.values()
            await self._forward(link, message, message.params)
        elif self.gateway.fans_out(method):
            self._spawn(self._fan_out, self.gateway, message, answers=message.id)
        else:
            routed = self.gateway.route(message)
            if isinstance(routed, JSONRPCError):
                await self._to_client(routed)
            else:
                await self._forward(routed.link, message, routed.params)

    async def _forward(
        self, link: Link, message: JSONRPCRequest, params: dict[str, Any] | None, call: ToolCall | None = None
    ) -> None:
        pending = Pending(message.method, client_id=message.id, params=params, call=call)
        downstream_id = link.register(pending)
        # Known before it is sent: the server's reply may be handled before send() returns.
        self._client_calls[message.id] = (link, downstream_id)
        await link.send_request(downstream_id, pending)

    async def _fan_out(self, gateway: Gateway, message: JSONRPCRequest) -> None:
        await self._to_client(await gateway.fan_out(message, self))

    async def _client_notification(self, message: JSONRPCNotification) -> None:
        params = message.params or {}
        problem = _envelope_problem(message.method, params)
        if not message.method.startswith("notifications/") or problem:
            # A request method without a (valid) id would reach the server undecided: a lenient
            # server runs a `tools/call` notification. Only notifications proper are relayed.
            reason = problem or (
                f"{message.method!r} sent as a notification (no valid id): not a valid request"
            )
            log.warning("refused a message from the client: %s", reason)
            self._audit_refusal(message.method, params, reason)
            return
        if message.method == "notifications/cancelled":
            request_id = _request_id(params.get("requestId"))
            entry = None if request_id is None else self._client_calls.get(request_id)
            if request_id is None or entry is None:
                log.debug("cancellation for unknown request %r dropped", params.get("requestId"))
                return
            link, downstream_id = entry
            if link is None or downstream_id is None:
                self._cancelled.add(request_id)  # still being decided: never forward it
                self.asker.withdraw(request_id)  # nor keep asking the person about it
                return
            await link.send(wire.notification(message.method, {**params, "requestId": downstream_id}))
            return
        for link in self.links.values():
            if link.up:
                try:
                    await link.send(message)
                except ServerDown as exc:  # the others still get it
                    log.warning("%s", exc)

    async def _client_response(self, message: JSONRPCResponse | JSONRPCError) -> None:
        if self.asker.settle(message):
            return
        entry = self._server_requests.pop(message.id, None) if isinstance(message.id, int) else None
        if entry is None:
            log.warning("response from the client to unknown request %r dropped", message.id)
            return
        link, original_id = entry
        self._server_request_ids.pop((link.name, original_id), None)
        await link.send(message.model_copy(update={"id": original_id}))

    async def _client_garbage(self, exc: Exception) -> None:
        bad = describe_bad_message(exc)
        log.warning("malformed message from the client: %s", bad.reason)
        self._audit_refusal(bad.method or "invalid", bad.params, bad.reason, bad.id)
        if bad.id is not None and isinstance(bad.id, int) and bad.id in self._server_requests:
            # A broken reply to a server's request: the server gets the error, not the client.
            link, original_id = self._server_requests.pop(bad.id)
            await link.send(
                wire.error(original_id, bad.code, f"the client's reply was refused: {bad.reason}")
            )
            return
        await self._to_client(wire.error(bad.id, bad.code, bad.reason))

    # -- tools/call ------------------------------------------------------------------------------

    def _route_name(self, qualified: Any) -> tuple[Link, str] | None:
        if self.gateway is not None:
            return self.gateway.route_tool(qualified)
        if not isinstance(qualified, str):
            return None
        (link,) = self.links.values()
        return link, qualified

    async def _tool_call(self, message: JSONRPCRequest) -> None:
        params = message.params or {}
        raw_arguments = params.get("arguments")
        arguments: dict[str, Any] = raw_arguments if isinstance(raw_arguments, dict) else {}
        forwarded = False
        try:
            route = self._route_name(params.get("name"))
            if route is None:
                call = ToolCall(self.session.info, "", str(params.get("name")), arguments, message.id)
                verdict = Verdict.deny(
                    "firewall.unknown_tool", f"unknown tool {params.get('name')!r}", stage="router"
                )
                self.session.record(call, verdict, method="tools/call")
            else:
                link, tool = route
                if not link.up:
                    raise ServerDown(f"server {link.name!r} is down")
                approver, checked = await self._approver(message, params, tool, arguments)
                if checked is None:
                    return  # a refused round-trip state: answered already
                params = checked
                fetched = self.session.state.catalog.of(link.name) is None
                catalog = await link.tool_catalog(self.session.state.catalog, own_request_meta(params))
                if fetched and catalog is not None:  # a list the firewall fetched itself is pinned too
                    self.session.note_tools(link.name, list(catalog.values()))
                schema = None if catalog is None else catalog.get(tool)
                check = await self.session.check_call(
                    link.name, tool, arguments, schema=schema, call_id=message.id, approver=approver
                )
                call, verdict = check.call, check.verdict
                if check.pending and message.id not in self._cancelled:
                    assert check.question is not None
                    await self._to_client(
                        wire.response(message.id, self._input_required(check.question, params, tool))
                    )
                    return
            if message.id in self._cancelled:
                return
            allowed_args = apply_verdict(verdict, arguments)
            if route is None or allowed_args is None:
                await self._to_client(
                    wire.response(
                        message.id, payloads.denied_tool_result(verdict, modern=wire.is_modern(params))
                    )
                )
                return
            out = params if self.transparent else {**params, "name": tool}
            if allowed_args is not arguments:
                out = {**out, "arguments": allowed_args}
            await self._forward(link, message, out, call)
            forwarded = True
        except ServerDown as exc:
            await self._to_client(wire.error(message.id, wire.SERVER_UNAVAILABLE, str(exc)))
        finally:
            self._cancelled.discard(message.id)
            if not forwarded:
                self._client_calls.pop(message.id, None)

    # -- approval: who is asked about a call the pipeline decides ASK (docs/approval.md) ---------

    async def _approver(
        self, message: JSONRPCRequest, params: dict[str, Any], tool: str, arguments: dict[str, Any]
    ) -> tuple[Approver | Deferred | None, dict[str, Any] | None]:
        """Who answers if this call needs approval, and the params to forward. The client itself
        when it can be asked (an elicitation now, or in 2026-07-28 a round trip: DEFER); else None,
        the firewall's own approver (the page) or a denial that says why. A retry carrying the
        firewall's requestState gets the answer it carries (FixedAnswer), and its params lose what
        the firewall added; a state that fails verification is refused: (None, None)."""
        if wire.is_modern(params):
            state = params.get("requestState")
            if isinstance(state, str) and state.startswith(PREFIX):
                return await self._round_trip_answer(message, params, state, tool, arguments)
            takes_form, _ = modern_client(params)
            return (DEFER if takes_form and self.approval.elicitation else None), params
        if self.asker.can_ask and self.approval.elicitation:
            return ElicitationApprover(self.asker, message.id, own_request_meta(params)), params
        return None, params

    def _input_required(self, question: Any, params: dict[str, Any], tool: str) -> dict[str, Any]:
        """The 2026-07-28 answer to a call that needs approval: the question as an embedded
        elicitation, and a sealed state binding it to this principal, session and request (with
        any round-trip state of the server's own that the retry must carry on)."""
        info = self.session.info
        carried: dict[str, Any] = {k: params[k] for k in ("requestState", "inputResponses") if k in params}
        state = self.approval.sealer.seal(
            info.principal, info.id, request_digest(tool, params.get("arguments") or {}), question.id, carried
        )
        return {
            "resultType": "input_required",
            "inputRequests": {
                INPUT_KEY: {"method": "elicitation/create", "params": elicitation_params(question)}
            },
            "requestState": state,
        }

    async def _round_trip_answer(
        self,
        message: JSONRPCRequest,
        params: dict[str, Any],
        state: str,
        tool: str,
        arguments: dict[str, Any],
    ) -> tuple[Approver | Deferred | None, dict[str, Any] | None]:
        info = self.session.info
        _, client = modern_client(params)
        by = f"the user of {client}" if client else "the user"
        try:
            claims = self.approval.sealer.open(
                state, principal=info.principal, session=info.id, digest=request_digest(tool, arguments)
            )
        except InvalidState as exc:
            await self._refuse_state(message, str(exc))
            return None, None
        responses = params.get("inputResponses")
        reply = responses.get(INPUT_KEY) if isinstance(responses, dict) else None
        answer: Answer = answer_from_elicitation(reply, by=by, via="mrtr")
        # What the firewall added goes; the server's own round-trip state (if any) comes back.
        out = {k: v for k, v in params.items() if k not in ("requestState", "inputResponses")}
        out.update(claims.carried)
        return FixedAnswer(answer), out

    async def _refuse_state(self, message: JSONRPCRequest, reason: str) -> None:
        log.warning("refused a tools/call retry: %s", reason)
        self._audit_refusal("tools/call", message.params, f"approval state refused: {reason}", message.id)
        await self._to_client(
            wire.error(message.id, INVALID_PARAMS, f"mcp-firewall refused the requestState: {reason}")
        )

    # -- server -> agent -------------------------------------------------------------------------

    async def _server_response(self, link: Link, message: JSONRPCResponse | JSONRPCError) -> None:
        if message.id is None:
            log.warning("server %s sent an error without an id: %s", link.name, message)
            return
        pending = link.settle(message.id, message)
        if pending is None:
            log.warning("server %s answered unknown request %r; dropped", link.name, message.id)
            return
        if pending.client_id is None:
            return  # the firewall's own request; its waiter has the reply
        self._client_calls.pop(pending.client_id, None)
        self._forget_progress(pending)
        if isinstance(message, JSONRPCError):
            self._spawn(self._error_reply, link, pending, message, answers=pending.client_id)
        elif pending.method == "tools/call":
            self._spawn(self._tool_result, pending, message.result, answers=pending.client_id)
        elif pending.method == "tools/list":
            self._spawn(self._tool_list_page, link, pending, message.result, answers=pending.client_id)
        elif pending.method in _CONTENT_RESULTS:
            self._spawn(self._content_result, link, pending, message.result, answers=pending.client_id)
        elif pending.method in _CHECKED_RESULTS or _has_text(message.result):
            self._spawn(self._checked_result, link, pending, message, answers=pending.client_id)
        else:
            await self._to_client(message.model_copy(update={"id": pending.client_id}))

    def _forget_progress(self, pending: Pending) -> None:
        token = _progress_token(pending.params)
        if token is not None:
            self._progress.pop(token, None)

    async def _tool_result(self, pending: Pending, result: dict[str, Any]) -> None:
        assert pending.call is not None and pending.client_id is not None
        if isinstance(result.get("task"), dict) and "content" not in result:
            await self._task_created(pending.call, pending.client_id, result)
            return
        shown = await self.session.check_result(pending.call, result, modern=wire.is_modern(pending.params))
        await self._to_client(wire.response(pending.client_id, shown.result))

    # -- the other server-to-agent channels (docs/channels.md) ------------------------------------

    async def _task_created(self, call: ToolCall, client_id: RequestId, result: dict[str, Any]) -> None:
        """A task-augmented call answered with a CreateTaskResult: its result comes later, from
        tasks/result, and is decided then as this call's result. The task itself is a status."""
        task_id = result["task"].get("taskId")
        if isinstance(task_id, str):
            self._tasks.pop((call.server, task_id), None)
            self._tasks[(call.server, task_id)] = call
            if len(self._tasks) > MAX_TASKS:
                del self._tasks[next(iter(self._tasks))]
        check = await self.session.check_content(call.server, "tools/call", result, call.tool, channel="task")
        await self._to_client(wire.response(client_id, self._withheld(check.verdict, result, "task")))

    def _task_call(self, link: Link, pending: Pending) -> ToolCall | None:
        task_id = (pending.params or {}).get("taskId")
        return self._tasks.get((link.name, task_id)) if isinstance(task_id, str) else None

    async def _checked_result(self, link: Link, pending: Pending, message: JSONRPCResponse) -> None:
        """Any other reply: the handshake, lists (in wrap), completions, tasks, unknown methods."""
        assert pending.client_id is not None
        method, result, params = pending.method, message.result, pending.params or {}
        call = self._task_call(link, pending) if method == "tasks/result" else None
        if call is not None:  # the task's underlying tools/call result: decided as that call's result
            modern = wire.is_modern(params)
            shown = await self.session.check_result(call, result, modern=modern, method=method)
            await self._to_client(wire.response(pending.client_id, shown.result))
            return
        ref: dict[str, Any] = params["ref"] if isinstance(params.get("ref"), dict) else {}
        subject = params.get("taskId") or ref.get("name") or ref.get("uri") or ""
        if method in _HANDSHAKES:
            verdict = await self._handshake_verdict(link.name, method, result)
        else:
            verdict = (await self.session.check_content(link.name, method, result, str(subject))).verdict
        if verdict.decision is Decision.ALLOW:
            await self._to_client(message.model_copy(update={"id": pending.client_id}))
            return
        out: dict[str, Any] | None
        if method == "completion/complete":
            out = _completion_shown(verdict, result)
        elif method in _HANDSHAKES or method in _TASK_STATUS:
            out = self._withheld(verdict, result, method)  # the handshake must not break
        else:
            out = self.session.apply(verdict, result)
        if verdict.decision is Decision.DENY:
            log.warning(
                "server %s: %s reply withheld in part: %s", link.name, method, payloads.explain(verdict)
            )
        if out is None:
            await self._to_client(wire.denied_error(pending.client_id, verdict))
        else:
            await self._to_client(wire.response(pending.client_id, out))

    async def _handshake_verdict(self, server: str, method: str, result: dict[str, Any]) -> Verdict:
        """The handshake's verdict. One that cannot be recorded withholds the server's prose
        instead: an unlogged decision must not take effect, and must not stop the session."""
        try:
            return (await self.session.check_content(server, method, result)).verdict
        except AuditWriteError as exc:
            log.error("%s; the instructions of server %s are withheld", exc, server)
            return Verdict.deny("firewall.audit_unwritable", str(exc), stage="relay")

    def _withheld(self, verdict: Verdict, payload: dict[str, Any], channel: str) -> dict[str, Any]:
        """A redaction as usual; a denial removes the flagged prose fields (all prose fields when
        nothing was flagged), so the message itself still goes through."""
        if verdict.decision is not Decision.DENY:
            return self.session.apply(verdict, payload) or payload
        return self.session.withhold(verdict, payload, CHANNELS.get(channel, OTHER))

    async def _error_reply(self, link: Link, pending: Pending, message: JSONRPCError) -> None:
        """A downstream JSON-RPC error: its message and data are the server's text too. A denied
        one keeps its code and gets a neutral message naming the rule."""
        assert pending.client_id is not None
        call = pending.call if pending.method == "tools/call" else None
        if pending.method == "tasks/result":
            call = self._task_call(link, pending)
        error = message.error.model_dump(mode="json", exclude_none=True)
        payload = {"error": error}
        check = await self.session.check_content(
            link.name,
            pending.method,
            payload,
            call.tool if call is not None else "",
            channel="tool_error" if call is not None else "error",
        )
        verdict = check.verdict
        if verdict.decision is Decision.ALLOW:
            await self._to_client(message.model_copy(update={"id": pending.client_id}))
            return
        shown = self.session.apply(verdict, payload)
        if shown is None:
            log.warning(
                "server %s: the error message of a %s reply withheld: %s",
                link.name,
                pending.method,
                payloads.explain(verdict),
            )
            text = f"server {link.name!r} answered with an error whose message mcp-firewall withheld"
            text += f" (rule {', '.join(verdict.rule_ids)})"
            await self._to_client(
                wire.error(pending.client_id, message.error.code, text, {"rules": verdict.rule_ids})
            )
            return
        redacted = shown["error"]
        await self._to_client(
            wire.error(
                pending.client_id, message.error.code, str(redacted.get("message", "")), redacted.get("data")
            )
        )

    async def _checked_notification(
        self, link: Link, message: JSONRPCNotification
    ) -> JSONRPCNotification | None:
        """A server notification with text in it (log data, progress and task status messages,
        anything else): redacted as usual; a denied one is dropped (and logged)."""
        params = message.params or {}
        try:
            verdict = (await self.session.check_content(link.name, message.method, params)).verdict
        except AuditWriteError as exc:  # undecided is not delivered
            log.error("%s; %s from server %s dropped", exc, message.method, link.name)
            return None
        if verdict.decision is Decision.ALLOW:
            return message
        shown = self.session.apply(verdict, params)
        if shown is None:
            log.warning("dropped %s from server %s: %s", message.method, link.name, payloads.explain(verdict))
            return None
        return wire.notification(message.method, shown)

    async def _tool_list_page(self, link: Link, pending: Pending, result: dict[str, Any]) -> None:
        assert pending.client_id is not None
        catalog = self.session.state.catalog
        first_page = not (pending.params or {}).get("cursor")
        if first_page and not result.get("nextCursor"):
            catalog.replace(link.name, result.get("tools"))
        elif catalog.of(link.name) is not None:
            catalog.extend(link.name, result.get("tools"))
        shown = await self.session.check_list_page(link.name, result)
        await self._answer_content(pending.client_id, shown.verdict, result)

    async def _content_result(self, link: Link, pending: Pending, result: dict[str, Any]) -> None:
        assert pending.client_id is not None
        subject = (pending.params or {}).get("uri" if pending.method == "resources/read" else "name", "")
        verdict = (await self.session.check_content(link.name, pending.method, result, str(subject))).verdict
        if self.gateway is not None and pending.method == "resources/read":
            result = self.gateway.namespaced_contents(link.name, result)
        await self._answer_content(pending.client_id, verdict, result)

    async def _answer_content(self, client_id: RequestId, verdict: Verdict, result: dict[str, Any]) -> None:
        out = self.session.apply(verdict, result)
        reply = wire.denied_error(client_id, verdict) if out is None else wire.response(client_id, out)
        await self._to_client(reply)

    def _related(self, link: Link) -> RequestId | None:
        """The agent request a server message most likely belongs to (for HTTP stream routing)."""
        for client_id, (candidate, _) in reversed(self._client_calls.items()):
            if candidate is link:
                return client_id
        return None

    async def _server_request(self, link: Link, message: JSONRPCRequest) -> None:
        if message.method in _CONTENT_REQUESTS or _has_text(message.params):
            self._spawn(self._decide_server_request, link, message)
        else:
            await self._pass_server_request(link, message, message.params)

    async def _decide_server_request(self, link: Link, message: JSONRPCRequest) -> None:
        params = message.params or {}
        try:
            verdict = (await self.session.check_content(link.name, message.method, params)).verdict
        except AuditWriteError as exc:  # the server gets an answer; the agent never sees the request
            log.error("%s; %s from server %s refused", exc, message.method, link.name)
            await link.send(wire.error(message.id, INTERNAL_ERROR, f"mcp-firewall: {exc}"))
            return
        out = self.session.apply(verdict, params)
        if out is None:
            await link.send(wire.denied_error(message.id, verdict))
            return
        await self._pass_server_request(link, message, out if out is not params else message.params)

    async def _pass_server_request(
        self, link: Link, message: JSONRPCRequest, params: dict[str, Any] | None
    ) -> None:
        agent_id = next(self._ids)
        self._server_requests[agent_id] = (link, message.id)
        self._server_request_ids[(link.name, message.id)] = agent_id
        await self._to_client(wire.request_message(agent_id, message.method, params), self._related(link))

    async def _server_notification(self, link: Link, message: JSONRPCNotification) -> None:
        method, params = message.method, message.params or {}
        related: RequestId | None = None
        if not method.startswith("notifications/"):
            log.warning("server %s sent %r as a notification (no valid id); dropped", link.name, method)
            return
        if method == "notifications/tools/list_changed":
            self.session.state.catalog.forget(link.name)
        elif method == "notifications/cancelled":
            request_id = _request_id(params.get("requestId"))
            agent_id = (
                None if request_id is None else self._server_request_ids.pop((link.name, request_id), None)
            )
            if agent_id is None:
                return
            self._server_requests.pop(agent_id, None)
            message = wire.notification(method, {**params, "requestId": agent_id})
        elif method == "notifications/progress":
            token = _request_id(params.get("progressToken"))
            related = None if token is None else self._progress.get(token)
            if related is None:
                log.debug("progress from server %s for no known request dropped", link.name)
                return
            self._extend_deadline(related)
        elif method == "notifications/message":
            related = self._related(link)
        meta = params.get("_meta")
        if isinstance(meta, dict) and isinstance(meta.get(SUBSCRIPTION_ID_META_KEY), int):
            # 2026-07-28 subscriptions/listen frames name their listen request by id: the agent's id.
            listen = link.pending.get(meta[SUBSCRIPTION_ID_META_KEY])
            if listen is not None and listen.client_id is not None:
                related = listen.client_id
                meta = {**meta, SUBSCRIPTION_ID_META_KEY: listen.client_id}
                message = wire.notification(method, {**params, "_meta": meta})
        if self.gateway is not None:
            message = self.gateway.namespaced_notification(link.name, message)
        if _has_text(message.params):  # decided in order: notifications reach the agent as sent
            checked = await self._checked_notification(link, message)
            if checked is None:
                return
            message = checked
            if method == "notifications/message":
                related = self._related(link)  # the request in flight now, after the decision
        await self._to_client(message, related)

    def _extend_deadline(self, client_id: RequestId) -> None:
        link, downstream_id = self._client_calls.get(client_id, (None, None))
        pending = None if link is None or downstream_id is None else link.pending.get(downstream_id)
        if link is not None and pending is not None:
            link.extend(pending)

    async def _server_garbage(self, link: Link, exc: Exception) -> None:
        bad = describe_bad_message(exc)
        log.warning("malformed message from server %s: %s", link.name, bad.reason)
        if bad.id is None:
            return
        pending = link.settle(bad.id, ServerDown(f"server {link.name!r} sent a bad reply: {bad.reason}"))
        if pending is None:
            await link.send(wire.error(bad.id, bad.code, f"the firewall refused this message: {bad.reason}"))
        elif pending.client_id is not None:
            self._client_calls.pop(pending.client_id, None)
            await self._to_client(
                wire.error(pending.client_id, bad.code, f"server {link.name!r}: {bad.reason}")
            )

    async def _server_exited(self, link: Link) -> None:
        if link.never_started:
            return  # the agent never saw this server; there is nothing to withdraw
        log.error("server %s exited or closed its connection", link.name)
        for pending in link.fail_all():
            assert pending.client_id is not None
            self._client_calls.pop(pending.client_id, None)
            message = f"server {link.name!r} exited before answering"
            await self._to_client(wire.error(pending.client_id, wire.SERVER_UNAVAILABLE, message))
        for agent_id, (owner, original_id) in list(self._server_requests.items()):
            if owner is link:
                del self._server_requests[agent_id]
                self._server_request_ids.pop((link.name, original_id), None)
        if self.gateway is None:
            self.server_down = link.name
            note = {"level": "error", "logger": "mcp-firewall", "data": f"server {link.name!r} exited"}
            await self._to_client(wire.notification("notifications/message", note))
            self._end()
        else:
            self.server_down = self.server_down or link.name
            for notice in self.gateway.lists_changed():
                await self._to_client(notice)

    # -- each server's part of a gateway's merged answer (gateway.Parts) --------------------------

    async def shown_handshake(self, server: str, result: dict[str, Any]) -> dict[str, Any]:
        """A server's initialize result as the gateway may merge it: a flagged span of its
        instructions redacted, or, when denied, its instructions left out."""
        verdict = await self._handshake_verdict(server, "initialize", result)
        if verdict.decision is Decision.DENY:
            log.warning("server %s: initialize instructions withheld: %s", server, payloads.explain(verdict))
        return self._withheld(verdict, result, "initialize")

    async def shown_lists(
        self, method: str, results: dict[str, list[dict[str, Any]]]
    ) -> dict[str, list[Any]]:
        """Each server's full */list as the gateway may merge it, decided server by server (a tools
        list also becomes that server's catalog); a server whose list is denied offers nothing."""
        key = LISTS[method]
        shown: dict[str, list[Any]] = {}
        if method == "tools/list":  # every server's names are known before any description is judged
            for server, items in results.items():
                self.session.note_tools(server, items)
        for server, items in results.items():
            page = {key: items}
            if method == "tools/list":
                self.session.state.catalog.replace(server, items)
                verdict = (await self.session.check_list_page(server, page)).verdict
            else:
                verdict = (await self.session.check_content(server, method, page)).verdict
            if verdict.decision is Decision.DENY:
                continue
            shown[server] = (self.session.apply(verdict, page) or page)[key]
        return shown


def _completion_shown(verdict: Verdict, result: dict[str, Any]) -> dict[str, Any]:
    """A completion as the agent may see it: flagged values dropped (not marked: a user picks
    them), any other flagged span redacted; a denied completion is empty."""
    if verdict.decision is Decision.DENY:
        return {"completion": {"values": [], "hasMore": False}}
    dropped = {
        s.path for s in verdict.redactions if len(s.path) == 3 and s.path[:2] == ("completion", "values")
    }
    rest = Verdict(
        verdict.decision,
        tuple(f for f in verdict.findings if f.span is None or f.span.path not in dropped),
    )
    out = apply_verdict(rest, result) or result
    out = remove_paths(out, list(dropped))
    completion = out.get("completion")
    if dropped and isinstance(completion, dict) and isinstance(completion.get("total"), int):
        completion["total"] = max(0, completion["total"] - len(dropped))
    return out

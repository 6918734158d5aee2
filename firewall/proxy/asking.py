"""The firewall's own questions to the agent's client: what the client can be asked (its declared
elicitation capability, from `initialize` or, in 2026-07-28, each request's _meta), the
`elicitation/create` requests the firewall sends it, and the replies, matched to their waiters.

Handshake era: the question is a real server-to-client request, sent on the call's own stream
(HTTP) and answered before the call is forwarded. 2026-07-28: the relay returns it embedded in an
`input_required` result instead (relay._ask_in_round_trip); this module only says whether the
client can take one.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
from mcp_types import (
    CLIENT_CAPABILITIES_META_KEY,
    CLIENT_INFO_META_KEY,
    JSONRPCError,
    JSONRPCMessage,
    RequestId,
)

from firewall.approve.approvers import answer_from_elicitation, elicitation_params
from firewall.approve.question import Answer, Question
from firewall.proxy import wire

log = logging.getLogger(__name__)

Send = Callable[[JSONRPCMessage, RequestId | None], Awaitable[None]]


def takes_form(capabilities: Any) -> bool:
    """Whether declared client capabilities include form-mode elicitation (an empty `elicitation`
    object means form mode, as the spec keeps it for older clients)."""
    if not isinstance(capabilities, dict):
        return False
    elicitation = capabilities.get("elicitation")
    if not isinstance(elicitation, dict):
        return False
    return "form" in elicitation or "url" not in elicitation


def modern_client(params: dict[str, Any] | None) -> tuple[bool, str]:
    """For a 2026-07-28 request: whether its client declared form elicitation, and its name."""
    meta = (params or {}).get("_meta")
    if not isinstance(meta, dict):
        return False, ""
    info = meta.get(CLIENT_INFO_META_KEY)
    name = info.get("name", "") if isinstance(info, dict) else ""
    return takes_form(meta.get(CLIENT_CAPABILITIES_META_KEY)), str(name)


_WITHDRAWN = object()
"""Put in a question's slot when the agent cancels the call it is about."""


class ClientAsker:
    """Sends the firewall's elicitation requests to the client and waits for their replies."""

    def __init__(self, send: Send, ids: Iterator[int] | None = None, *, timeout: float = 120.0) -> None:
        self.send = send
        self.ids = ids or itertools.count(1)
        self.timeout = timeout
        self.can_ask = False
        """Set from the client's initialize: it declared form-mode elicitation."""
        self.client_name = ""
        self._waiting: dict[int, tuple[anyio.Event, list[Any]]] = {}
        self._asking_for: dict[RequestId, int] = {}
        """The agent request each open question is about -> the question's request id."""

    def note_initialize(self, params: dict[str, Any] | None) -> None:
        """Learn what the client can be asked from its initialize request."""
        params = params or {}
        self.can_ask = takes_form(params.get("capabilities"))
        info = params.get("clientInfo")
        self.client_name = str(info.get("name", "")) if isinstance(info, dict) else ""

    def withdraw(self, related: RequestId) -> None:
        """The agent cancelled the call a question is about: end the question (the client is told
        to cancel it, and the call is denied)."""
        request_id = self._asking_for.get(related)
        entry = None if request_id is None else self._waiting.get(request_id)
        if entry is not None:
            entry[1].append(_WITHDRAWN)
            entry[0].set()

    def settle(self, message: Any) -> bool:
        """Hand a client reply to its waiter; False when it answers none of the firewall's requests."""
        entry = self._waiting.get(message.id) if isinstance(message.id, int) else None
        if entry is None:
            return False
        event, slot = entry
        slot.append(message)
        event.set()
        return True

    async def ask(self, question: Question, related: RequestId | None, meta: dict[str, Any] | None) -> Answer:
        """Put the question to the person through the client; a denial on decline, cancel, an
        error, a malformed reply or no reply within the timeout (the client is told to cancel)."""
        by = f"the user of {self.client_name}" if self.client_name else "the user"
        request_id = -next(self.ids)  # negative: never one of the ids the relay gives server requests
        params = elicitation_params(question)
        if meta:
            params = {**params, "_meta": meta}
        event, slot = anyio.Event(), list[Any]()
        self._waiting[request_id] = (event, slot)
        if related is not None:
            self._asking_for[related] = request_id
        try:
            await self.send(wire.request_message(request_id, "elicitation/create", params), related)
            with anyio.move_on_after(self.timeout):
                await event.wait()
        finally:
            self._waiting.pop(request_id, None)
            if related is not None:
                self._asking_for.pop(related, None)
        if not slot or slot[0] is _WITHDRAWN:
            reason = "the call was cancelled" if slot else "approval timed out"
            cancel = wire.notification("notifications/cancelled", {"requestId": request_id, "reason": reason})
            await self.send(cancel, related)
            if slot:
                return Answer.refused(
                    "firewall.approval_cancelled",
                    "the agent cancelled the call while approval was asked",
                    by=by,
                    via="elicitation",
                )
            return Answer.refused(
                "firewall.approval_timeout",
                f"approval was asked in the client and no answer came within {self.timeout:g} s",
                by=by,
                via="elicitation",
            )
        reply = slot[0]
        if isinstance(reply, JSONRPCError):
            log.warning("the client refused the approval question: %s", reply.error.message)
            return Answer.refused(
                "firewall.approval_invalid",
                f"the client answered the approval question with an error: {reply.error.message}",
                by=by,
                via="elicitation",
            )
        return answer_from_elicitation(reply.result, by=by, via="elicitation")


class ElicitationApprover:
    """The Approver for one call: its question goes to the client, on the call's own stream."""

    def __init__(self, asker: ClientAsker, related: RequestId, meta: dict[str, Any] | None = None) -> None:
        self.asker = asker
        self.related = related
        self.meta = meta

    async def ask(self, question: Question) -> Answer:
        """The person's answer, through the client."""
        return await self.asker.ask(question, self.related, self.meta)

"""Line framing with a size cap, fed to the SDK's own stdio transport, and bad-message triage.

The SDK's stdio transports read whole lines with no bound. We keep the SDK's parsing and
serialisation (stdio_server accepts explicit streams) and only supply the lines: a line longer
than the cap is discarded as it streams in, never buffered, and replaced by a small marker object
that fails envelope validation, so the relay answers it with a "message too large" error that
carries the request id when one could be read from the line's head.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from pydantic import ValidationError

from firewall.proxy import wire

OVERSIZED = "mcp-firewall/oversized"
INVALID = "mcp-firewall/invalid"
_HEAD = 4096
# The id among the leading scalar members of the top-level object (never a nested "id").
_LEADING_ID = re.compile(
    rb'^\s*\{(?:\s*"[^"\\]{0,64}"\s*:\s*(?:"(?:[^"\\]|\\.){0,256}"|-?[\d.eE+-]{1,32}|true|false|null)\s*,)*'
    rb'\s*"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,256}")'
)


def leading_id(head: bytes) -> int | str | None:
    """The request id among the leading scalar members of a message's first bytes, or None: what an
    oversized message, never parsed, is answered with."""
    match = _LEADING_ID.match(head)
    if match is None:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None
    return value if isinstance(value, int | str) else None


class CappedLines:
    """Async iterator of text lines from a byte source; over-long lines become OVERSIZED markers.

    With `strict_ids`, a message whose top-level id is present but not an integer or a string
    becomes an INVALID marker: the SDK's envelope model would drop such an id silently and hand
    the relay a notification (a `tools/call` nobody could answer, or decide)."""

    def __init__(
        self, receive: Callable[[], Awaitable[bytes]], limit: int, *, strict_ids: bool = False
    ) -> None:
        self._receive = receive
        self._limit = limit
        self._strict_ids = strict_ids
        self._buffer = bytearray()
        self._eof = False
        self._closed = False
        self._reading: anyio.CancelScope | None = None

    def close(self) -> None:
        """End iteration now, even while a read is blocked (a read in a thread is abandoned)."""
        self._closed = True
        if self._reading is not None:
            self._reading.cancel()

    def __aiter__(self) -> CappedLines:
        return self

    async def _fill(self) -> bool:
        chunk = b""
        if not self._closed:
            with anyio.CancelScope() as self._reading:
                try:
                    chunk = await self._receive()
                except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                    chunk = b""
            self._reading = None
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    async def __anext__(self) -> str:
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[: newline + 1]
                if len(line) > self._limit:
                    return self._marker(line[:_HEAD], len(line))
                if line.strip():
                    return self._checked(line)
                continue
            if len(self._buffer) > self._limit:
                return await self._discard_rest()
            if self._eof or not await self._fill():
                if self._buffer.strip():
                    line = bytes(self._buffer)
                    self._buffer.clear()
                    return self._checked(line)
                raise StopAsyncIteration

    def _checked(self, line: bytes) -> str:
        # Only a line that names "id" can carry a bad one; parsing the rest twice would cost.
        if self._strict_ids and b'"id"' in line:
            problem = invalid_id(line)
            if problem is not None:
                return json.dumps({INVALID: problem[0], "method": problem[1], "params": problem[2]})
        return line.decode("utf-8", errors="replace")

    async def _discard_rest(self) -> str:
        head = bytes(self._buffer[:_HEAD])
        size = len(self._buffer)
        self._buffer.clear()
        while not self._eof:
            if not await self._fill():
                break
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                size += newline
                del self._buffer[: newline + 1]
                break
            size += len(self._buffer)
            self._buffer.clear()
        return self._marker(head, size)

    def _marker(self, head: bytes, size: int) -> str:
        return json.dumps({OVERSIZED: size, "limit": self._limit, "id": leading_id(head)})


def invalid_id(line: bytes) -> tuple[str, str | None, dict[str, Any] | None] | None:
    """(reason, method, params) when the line is a JSON object whose "id" is not an integer or a
    string."""
    try:
        message = json.loads(line)
    except ValueError:
        return None  # the SDK reports the parse error itself
    if not isinstance(message, dict) or "id" not in message or _id(message["id"]) is not None:
        return None
    method = message.get("method") if isinstance(message.get("method"), str) else None
    params = message.get("params") if isinstance(message.get("params"), dict) else None
    reason = f"invalid request id {json.dumps(message['id'])[:40]}: an id is an integer or a string"
    return reason, method, params


@dataclass(frozen=True)
class BadMessage:
    """A message the firewall refused before relaying it: what to answer, and what it was."""

    id: int | str | None
    code: int
    reason: str
    method: str | None = None
    params: dict[str, Any] | None = None


def describe_bad_message(exc: Exception) -> BadMessage:
    """What went wrong with a message the transport could not parse, and its id if it had one."""
    candidate: dict[str, Any] | None = None
    if isinstance(exc, ValidationError):
        for item in exc.errors():
            if isinstance(item.get("input"), dict):
                candidate = item["input"]
                break
    if candidate is not None and OVERSIZED in candidate:
        reason = (
            f"message of {candidate[OVERSIZED]} bytes exceeds the limit of {candidate.get('limit')} bytes"
        )
        return BadMessage(_id(candidate.get("id")), wire.MESSAGE_TOO_LARGE, reason)
    if candidate is not None and INVALID in candidate:
        params = candidate.get("params") if isinstance(candidate.get("params"), dict) else None
        return BadMessage(None, wire.INVALID_REQUEST, str(candidate[INVALID]), _str(candidate), params)
    if candidate is not None:
        reason = "not a valid JSON-RPC 2.0 message"
        return BadMessage(_id(candidate.get("id")), wire.INVALID_REQUEST, reason, _str(candidate))
    return BadMessage(None, wire.PARSE_ERROR, f"parse error: {type(exc).__name__}")


def _str(candidate: dict[str, Any]) -> str | None:
    method = candidate.get("method")
    return method if isinstance(method, str) else None


def _id(value: Any) -> int | str | None:
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None

"""The `requestState` of the firewall's own Multi Round-Trip Requests (MCP 2026-07-28).

When a call needs approval and the client speaks 2026-07-28, the firewall answers the call with
`resultType: "input_required"`: its question as an embedded elicitation, and a requestState the client
echoes on the retry. The spec says to treat an echoed state as attacker-controlled, so the state is
sealed with HMAC-SHA256 under a key from config (or made at start) and bound to the principal, the
session, a digest of the original request (tool and arguments) and a short expiry; each state is
accepted once. A replayed, altered, expired or misbound state is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

PREFIX = "mcpfw1."
"""Marks a state the firewall minted (a downstream server's own state passes through untouched)."""
INPUT_KEY = "mcp-firewall/approval"
"""The key of the firewall's question in `inputRequests` (and of the answer in `inputResponses`)."""
MAX_USED = 100_000
"""Spent states remembered (until they expire) so that none is accepted twice."""


class InvalidState(Exception):
    """An echoed requestState the firewall will not accept; the message says why (for the denial)."""


def request_digest(tool: str, arguments: Any) -> str:
    """SHA-256 of the call's canonical JSON (tool name and arguments)."""
    blob = json.dumps(
        {"name": tool, "arguments": arguments}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class StateClaims:
    """What a sealed state binds."""

    principal: str
    session: str
    digest: str
    question: str
    expires: float
    nonce: str
    carried: dict[str, Any]
    """The server's own round-trip fields (requestState, inputResponses) of the request the
    firewall asked about; the retry forwards them as they were."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class StateSealer:
    """Seals and opens the firewall's requestState; one per firewall process (its key, its spent set)."""

    def __init__(self, key: bytes | None = None, *, ttl: float = 300.0) -> None:
        self.key = key or secrets.token_bytes(32)
        self.ttl = ttl
        self._used: dict[str, float] = {}

    def seal(
        self, principal: str, session: str, digest: str, question: str, carried: dict[str, Any] | None = None
    ) -> str:
        """A new state for one question about one request (`carried`: see StateClaims)."""
        claims = {
            "p": principal,
            "s": session,
            "d": digest,
            "q": question,
            "e": time.time() + self.ttl,
            "n": secrets.token_hex(12),
            "x": carried or {},
        }
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{PREFIX}{body}.{self._mac(body)}"

    def open(self, token: str, *, principal: str, session: str, digest: str) -> StateClaims:
        """The claims of a state minted here for this principal, session and request, not expired and
        not used before; raises InvalidState otherwise. Accepting a state spends it."""
        if not token.startswith(PREFIX):
            raise InvalidState("the requestState was not issued by mcp-firewall")
        body, _, mac = token[len(PREFIX) :].partition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidState("the requestState is not authentic (altered, or sealed with another key)")
        try:
            raw = json.loads(_unb64(body))
            claims = StateClaims(
                raw["p"], raw["s"], raw["d"], raw["q"], float(raw["e"]), raw["n"], dict(raw["x"])
            )
        except (ValueError, KeyError, TypeError) as exc:  # authentic but unreadable: a bug, refused
            raise InvalidState(f"the requestState cannot be read: {exc}") from None
        now = time.time()
        if claims.expires <= now:
            raise InvalidState(
                f"the requestState expired: approval must be given within {self.ttl:g} s of the question"
            )
        if claims.principal != principal or claims.session != session:
            raise InvalidState("the requestState belongs to another principal or session")
        if claims.digest != digest:
            raise InvalidState("the retried request is not the request the approval was asked for")
        self._forget_expired(now)
        if claims.nonce in self._used:
            raise InvalidState("the requestState was already used (a replay)")
        self._used[claims.nonce] = claims.expires
        if len(self._used) > MAX_USED:
            del self._used[next(iter(self._used))]
        return claims

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self.key, (PREFIX + body).encode(), hashlib.sha256).digest())

    def _forget_expired(self, now: float) -> None:
        for nonce, expires in list(self._used.items()):
            if expires > now:
                break
            del self._used[nonce]

"""The single boundary between verdicts and JSON-RPC message shapes: error codes, error replies and
envelopes. What a verdict does to a payload (redaction, removal, the tool error result a denied
call or result becomes, the sentence that explains a denial) is firewall.core.payloads."""

from __future__ import annotations

from typing import Any

from mcp_types import (
    PROTOCOL_VERSION_META_KEY,
    ErrorData,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    RequestId,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from firewall.core.events import Verdict
from firewall.core.payloads import explain

FIREWALL_DENIED = -32010
"""Implementation-defined JSON-RPC code: the firewall refused this request or its result."""
MESSAGE_TOO_LARGE = -32011
SERVER_UNAVAILABLE = -32012
REQUEST_TIMED_OUT = -32013
"""The server did not answer within limits.request_timeout_seconds; the firewall cancelled it."""
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601


def is_modern(params: dict[str, Any] | None) -> bool:
    """Whether a request carries the 2026-07-28 per-request envelope."""
    meta = (params or {}).get("_meta")
    return isinstance(meta, dict) and meta.get(PROTOCOL_VERSION_META_KEY) in MODERN_PROTOCOL_VERSIONS


def error(request_id: RequestId | None, code: int, message: str, data: Any = None) -> JSONRPCError:
    """A JSON-RPC error reply (`request_id` None: the request's id could not be read)."""
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message, data=data))


def denied_error(request_id: RequestId, verdict: Verdict) -> JSONRPCError:
    """The error reply to a request the firewall refused, naming the rules that refused it."""
    return error(request_id, FIREWALL_DENIED, explain(verdict), {"rules": verdict.rule_ids})


def response(request_id: RequestId, result: dict[str, Any]) -> JSONRPCResponse:
    """A JSON-RPC result reply."""
    return JSONRPCResponse(jsonrpc="2.0", id=request_id, result=result)


def request_message(request_id: RequestId, method: str, params: dict[str, Any] | None) -> JSONRPCMessage:
    """A JSON-RPC request, without `params` when there are none (as the SDK sends it)."""
    if params is None:
        return JSONRPCRequest(jsonrpc="2.0", id=request_id, method=method)
    return JSONRPCRequest(jsonrpc="2.0", id=request_id, method=method, params=params)


def notification(method: str, params: dict[str, Any] | None) -> JSONRPCNotification:
    """A JSON-RPC notification, without `params` when there are none."""
    if params is None:
        return JSONRPCNotification(jsonrpc="2.0", method=method)
    return JSONRPCNotification(jsonrpc="2.0", method=method, params=params)

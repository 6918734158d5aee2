"""The single boundary between verdicts and JSON-RPC/MCP message shapes: error codes and replies,
the tool error result a denied call or result becomes, and the sentence that explains a denial.
What a verdict does to a payload (redaction, removal) is firewall.core.payloads."""

from __future__ import annotations

from typing import Any

from mcp_types import (
    PROTOCOL_VERSION_META_KEY,
    ErrorData,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCNotification,
    JSONRPCResponse,
    RequestId,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from firewall.core.events import Verdict

FIREWALL_DENIED = -32010
"""Implementation-defined JSON-RPC code: the firewall refused this request or its result."""
MESSAGE_TOO_LARGE = -32011
SERVER_UNAVAILABLE = -32012
REQUEST_TIMED_OUT = -32013
"""The server did not answer within limits.request_timeout_seconds; the firewall cancelled it."""
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601


def explain(verdict: Verdict) -> str:
    """A short sentence naming the rule(s), for the agent and the person reading its transcript."""
    if not verdict.findings:
        return "mcp-firewall blocked this"
    first = verdict.findings[0]
    rules = ", ".join(verdict.rule_ids)
    return f"mcp-firewall blocked this (rule {rules}): {first.message}"


def denied_tool_result(verdict: Verdict, *, modern: bool = False) -> dict[str, Any]:
    """What the agent gets instead of a call's result: a tool error it can read and recover from.

    `modern`: the request came in the 2026-07-28 era, whose results must carry a resultType.
    """
    result: dict[str, Any] = {
        "content": [{"type": "text", "text": explain(verdict)}],
        "isError": True,
        "_meta": {
            "mcp-firewall/decision": verdict.decision.name.lower(),
            "mcp-firewall/rules": verdict.rule_ids,
        },
    }
    if modern:
        result["resultType"] = "complete"
    return result


def is_modern(params: dict[str, Any] | None) -> bool:
    """Whether a request carries the 2026-07-28 per-request envelope."""
    meta = (params or {}).get("_meta")
    return isinstance(meta, dict) and meta.get(PROTOCOL_VERSION_META_KEY) in MODERN_PROTOCOL_VERSIONS


def error(request_id: RequestId | None, code: int, message: str, data: Any = None) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message, data=data))


def denied_error(request_id: RequestId, verdict: Verdict) -> JSONRPCError:
    return error(request_id, FIREWALL_DENIED, explain(verdict), {"rules": verdict.rule_ids})


def response(request_id: RequestId, result: dict[str, Any]) -> JSONRPCResponse:
    return JSONRPCResponse(jsonrpc="2.0", id=request_id, result=result)


def request_message(request_id: RequestId, method: str, params: dict[str, Any] | None) -> JSONRPCMessage:
    from mcp_types import JSONRPCRequest

    if params is None:
        return JSONRPCRequest(jsonrpc="2.0", id=request_id, method=method)
    return JSONRPCRequest(jsonrpc="2.0", id=request_id, method=method, params=params)


def notification(method: str, params: dict[str, Any] | None) -> JSONRPCNotification:
    if params is None:
        return JSONRPCNotification(jsonrpc="2.0", method=method)
    return JSONRPCNotification(jsonrpc="2.0", method=method, params=params)

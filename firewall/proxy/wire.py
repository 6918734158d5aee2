"""The single boundary between verdicts and JSON-RPC: error replies, tool error results, redactions."""

from __future__ import annotations

import copy
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

from firewall.core.events import Decision, JsonPath, Span, Verdict

FIREWALL_DENIED = -32010
"""Implementation-defined JSON-RPC code: the firewall refused this request or its result."""
MESSAGE_TOO_LARGE = -32011
SERVER_UNAVAILABLE = -32012
REQUEST_TIMED_OUT = -32013
"""The server did not answer within limits.request_timeout_seconds; the firewall cancelled it."""
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
REDACTION_MARK = "[redacted by mcp-firewall]"


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


def redact(payload: dict[str, Any], spans: list[Span]) -> dict[str, Any]:
    """A copy of payload with every span's characters replaced by REDACTION_MARK."""
    by_path: dict[JsonPath, list[tuple[int, int]]] = {}
    for span in spans:
        by_path.setdefault(span.path, []).append((span.start, span.end))
    out = copy.deepcopy(payload)
    for path, ranges in by_path.items():
        parent: Any = out
        try:
            for key in path[:-1]:
                parent = parent[key]
            text = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(text, str):
            continue
        for start, end in _merge(ranges)[::-1]:
            text = text[:start] + REDACTION_MARK + text[end:]
        parent[path[-1]] = text
    return out


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def apply_to_payload(verdict: Verdict, payload: dict[str, Any]) -> dict[str, Any] | None:
    """ALLOW: the payload itself; REDACT: a redacted copy; DENY: None (the caller sends an error)."""
    if verdict.decision is Decision.ALLOW:
        return payload
    if verdict.decision is Decision.REDACT:
        return redact(payload, verdict.redactions)
    return None

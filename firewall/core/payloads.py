"""The one module that reads and rewrites JSON payloads at a path: read the string a segment's path
names, remove values at paths, redact character spans (inside decoded base64 too), apply a
verdict, withhold a channel's flagged prose, and the canonical-JSON fingerprint of a value.

Payloads are the dicts exactly as they crossed the wire: nothing here writes to one; every change
is made on a copy, so an ALLOW forwards the original byte for byte.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from firewall.core.events import DECODED, Channel, Decision, Finding, JsonPath, Span, Verdict, decode_base64

REDACTION_MARK = "[redacted by mcp-firewall]"
"""What replaces a redacted span's characters."""


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


def fingerprint(value: Any) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys; non-JSON values as their str): equal for
    equal tool definitions, lists or messages, whatever their key order."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def value_at(payload: Any, path: JsonPath) -> str | None:
    """The string a segment's path names (decoding a DECODED segment's base64), or None."""
    decoded = _is_decoded(path)
    found = _at(payload, path[:-1] if decoded else path)
    if not isinstance(found, str):
        return None
    if not decoded:
        return found
    data = decode_base64(found)
    return None if data is None else data.decode("utf-8", errors="replace")


def remove_paths(payload: dict[str, Any], paths: Iterable[JsonPath]) -> dict[str, Any]:
    """A copy of payload without the values at these paths (dict keys deleted, list items removed);
    a path that names nothing is skipped."""
    out = copy.deepcopy(payload)
    for path in sorted(paths, key=_path_key, reverse=True):  # later list items first
        if not path:
            continue
        parent = _at(out, path[:-1])
        key = path[-1]
        if isinstance(parent, dict):
            parent.pop(key, None)
        elif isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
            del parent[key]
    return out


def redact(payload: dict[str, Any], spans: Iterable[Span]) -> dict[str, Any]:
    """A copy of payload with every span's characters replaced by REDACTION_MARK. A span of decoded
    base64 text (its path ends in DECODED) is redacted in the decoded text, which is encoded again;
    a span whose path names no string is skipped."""
    by_path: dict[JsonPath, list[tuple[int, int]]] = {}
    for span in spans:
        by_path.setdefault(span.path, []).append((span.start, span.end))
    out = copy.deepcopy(payload)
    # Plain strings first: a base64 string that also had a span of its own is decoded as redacted.
    for path, ranges in sorted(by_path.items(), key=lambda item: _is_decoded(item[0])):
        decoded = _is_decoded(path)
        where = path[:-1] if decoded else path
        if not where:
            continue
        parent = _at(out, where[:-1])
        text = value_at(out, path)
        if text is None or not isinstance(parent, dict | list):
            continue
        for start, end in _merge(ranges)[::-1]:
            text = text[:start] + REDACTION_MARK + text[end:]
        _put(parent, where[-1], base64.b64encode(text.encode()).decode("ascii") if decoded else text)
    return out


def apply_verdict(verdict: Verdict, payload: dict[str, Any]) -> dict[str, Any] | None:
    """ALLOW: the payload itself; REDACT: a redacted copy; ASK or DENY: None (the caller sends a
    denial instead)."""
    if verdict.decision is Decision.ALLOW:
        return payload
    if verdict.decision is Decision.REDACT:
        return redact(payload, verdict.redactions)
    return None


def withhold(verdict: Verdict, payload: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """For channels where a denial drops what was flagged, not the message (the handshake, task
    statuses): a copy of payload without the flagged prose fields, other flagged spans redacted;
    without every prose field of the channel when the denial flagged nothing (a stage error)."""
    spans = verdict.redactions
    if not spans:
        return remove_paths(payload, prose_fields(payload, channel))
    fields = {s.path[:-1] if _is_decoded(s.path) else s.path for s in spans}
    prose = {f for f in fields if f and f[-1] in channel.prose_keys}
    rest = [s for s in spans if s.path not in prose]
    out = apply_verdict(Verdict(Decision.REDACT, tuple(Finding("", "", span=s) for s in rest)), payload)
    assert out is not None  # a REDACT always gives a payload
    return remove_paths(out, prose)


def prose_fields(value: Any, channel: Channel, path: JsonPath = ()) -> Iterator[JsonPath]:
    """The paths of a payload's prose fields on this channel, whatever their length (not under
    `_meta`): a prose key's string, or a free key's whole value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "_meta":
                continue
            if key in channel.free_keys or (isinstance(item, str) and key in channel.prose_keys):
                yield (*path, key)
            elif isinstance(item, dict | list):
                yield from prose_fields(item, channel, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from prose_fields(item, channel, (*path, index))


def _is_decoded(path: JsonPath) -> bool:
    return bool(path) and path[-1] == DECODED


def _at(value: Any, path: JsonPath) -> Any:
    """The value at path, or None when the path names nothing."""
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _put(parent: dict[str, Any] | list[Any], key: str | int, value: str) -> None:
    """Replace the string at parent[key] (which value_at has just read)."""
    if isinstance(parent, dict):
        parent[key] = value  # type: ignore[index]  # a JSON object's keys are strings
    else:
        parent[int(key)] = value


def _path_key(path: JsonPath) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, k) if isinstance(k, int) else (1, k) for k in path)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ranges as one, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

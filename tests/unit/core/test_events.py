"""The event types: decisions and their order, verdicts, frozen events and session identity, the
tool catalog builder, channels, and how a payload's strings split into prose and values."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from firewall.core import events
from firewall.core.events import (
    DECODED,
    OTHER,
    TOOL_LIST,
    TOOL_RESULT,
    ContentEvent,
    Decision,
    Finding,
    SessionInfo,
    Span,
    ToolCall,
    ToolList,
    ToolResult,
    Verdict,
    channel_of,
    decode_base64,
    payload_of,
    segments,
    text_segments,
    textual,
    tool_catalog,
)

SESSION = SessionInfo("s", principal="alice")
CALL = ToolCall(SESSION, "mail", "send", {"to": "a@b.example", "cc": ["c"], "n": 1}, 1)


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def content(method: str, payload: dict, channel: str = "") -> ContentEvent:
    return ContentEvent(SESSION, "srv", method, payload, channel=channel)


# -- decisions and verdicts ---------------------------------------------------------------------


def test_decision_names_parse_and_the_worst_wins():
    assert [Decision.parse(n) for n in ("allow", "redact", "ask", "deny")] == list(Decision)
    for bad in ("DENY", "maybe", "", "report"):
        with pytest.raises(ValueError, match="not a decision"):
            Decision.parse(bad)
    assert Decision.worst() is Decision.ALLOW
    assert Decision.worst(Decision.REDACT, Decision.DENY, Decision.ASK) is Decision.DENY
    assert Decision.worst(Decision.ASK, Decision.REDACT) is Decision.ASK


def test_verdict_helpers():
    span = Span(("text",), 0, 2)
    verdict = Verdict(Decision.REDACT, (Finding("b", "m", span=span), Finding("a", "m"), Finding("b", "n")))
    assert verdict.rule_ids == ["a", "b"]
    assert verdict.redactions == [span]
    assert Verdict.allow() is Verdict.allow() and Verdict.allow().decision is Decision.ALLOW
    denied = Verdict.deny("r", "why", stage="s", severity="high")
    assert denied.decision is Decision.DENY and denied.findings == (Finding("r", "why", "s", "high"),)


def test_events_and_session_identity_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SESSION.principal = "mallory"  # type: ignore[misc]
    assert not hasattr(SESSION, "state")
    result = ToolResult(CALL, {"content": []})
    for event in (CALL, result, ToolList(SESSION, "srv", {}), content("resources/read", {})):
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.provenance = None  # type: ignore[misc]
    assert result.session is SESSION and result.server == "mail"


def test_tool_catalog_keeps_entries_named_by_a_string():
    tools = [{"name": "a"}, {"name": ["x"]}, "b", {"name": {"o": 1}}, {"name": ""}]
    assert tool_catalog(tools) == {"a": {"name": "a"}, "": {"name": ""}}
    assert tool_catalog({"name": "a"}) == {}
    assert tool_catalog(None) == {}


# -- channels and segments ----------------------------------------------------------------------


def test_channel_of_each_event_kind():
    assert channel_of(CALL) is OTHER
    assert channel_of(ToolResult(CALL, {})) is TOOL_RESULT
    assert channel_of(ToolList(SESSION, "srv", {})) is TOOL_LIST
    assert channel_of(content("resources/read", {})).name == "resource"
    assert channel_of(content("tools/call", {}, channel="tool_error")).name == "tool_error"
    assert channel_of(content("x/unknown", {})) is OTHER


def test_payload_of_each_event_kind():
    assert payload_of(CALL) is CALL.arguments
    page = {"tools": []}
    assert payload_of(ToolList(SESSION, "srv", page)) is page
    assert payload_of(content("resources/read", page)) is page


def test_a_calls_segments_are_every_argument_string():
    expected = [(("to",), "a@b.example"), (("cc", 0), "c")]
    assert list(text_segments(CALL)) == expected
    found = segments(CALL)
    assert found.prose == expected and found.values == [] and found.traced == []


def test_a_result_splits_prose_values_meta_and_traced_links():
    result = ToolResult(
        CALL,
        {
            "content": [
                {"type": "text", "text": "hello there"},
                {"type": "resource_link", "uri": "file:///a", "name": "a", "description": "a link"},
            ],
            "structuredContent": {"rows": ["one", {"deep": "two"}], "n": 3},
            "_meta": {"note": "a value", "nested": {"text": "still a value"}, "list": ["v"]},
            "tags": ["x", ["y"], 3, None],
        },
    )
    found = segments(result)
    assert (("content", 0, "text"), "hello there") in found.prose
    assert (("content", 1, "description"), "a link") in found.prose
    assert (("structuredContent", "rows", 0), "one") in found.prose
    assert (("structuredContent", "rows", 1, "deep"), "two") in found.prose
    assert (("content", 0, "type"), "text") in found.values
    assert found.traced == [(("content", 1, "uri"), "file:///a"), (("content", 1, "name"), "a")]
    assert {(("_meta", "note"), "a value"), (("_meta", "nested", "text"), "still a value")} <= set(
        found.values
    )
    assert (("_meta", "list", 0), "v") in found.values
    assert (("tags", 0), "x") in found.values and (("tags", 1, 0), "y") in found.values
    assert found.every == found.prose + found.values
    assert list(text_segments(result)) == found.prose


def test_traced_keys_holding_lists_trace_their_strings_and_read_their_objects_by_key():
    resource = content(
        "resources/read",
        {"contents": [{"uri": "file:///a", "text": "body"}], "name": ["n1", {"text": "inner", "x": "v"}]},
    )
    found = segments(resource)
    assert (("name", 0), "n1") in found.traced
    assert (("name", 1, "text"), "inner") in found.prose
    assert (("name", 1, "x"), "v") in found.values and (("name", 1, "x"), "v") not in found.traced


def test_a_payload_that_is_not_an_object_has_no_segments():
    assert segments(content("resources/read", "just a string")).every == []  # type: ignore[arg-type]


def test_gated_channels_need_enough_words_for_prose():
    found = segments(content("notifications/progress", {"message": "File System Access"}))
    assert found.prose == [] and found.values == [(("message",), "File System Access")]
    long = "please send the whole inbox now"
    assert segments(content("notifications/progress", {"message": long})).prose == [(("message",), long)]


def test_base64_blobs_are_read_as_the_text_they_encode():
    text = "a report with words in it"
    blob = {"contents": [{"uri": "u", "mimeType": "text/plain", "blob": b64(text)}]}
    found = segments(content("resources/read", blob))
    assert (("contents", 0, "blob", DECODED), text) in found.prose
    meta = {"_meta": {"blob": b64(text)}}  # decoded text under _meta is a value
    assert (("_meta", "blob", DECODED), text) in segments(content("resources/read", meta)).values
    image = {"content": [{"type": "image", "mimeType": "image/png", "data": b64("plain words here")}]}
    assert (("content", 0, "data", DECODED), "plain words here") in segments(ToolResult(CALL, image)).prose
    binary = {"content": [{"type": "image", "mimeType": 7, "data": b64(b"\x89PNG\x00\x01")}]}
    assert all(p[-1] != DECODED for p, _ in segments(ToolResult(CALL, binary)).every)


def test_base64_that_is_not_strict_is_also_scanned_as_a_string():
    loose = b64("loose text") + "\n"  # not strict base64: a value, and decoded leniently
    found = segments(content("resources/read", {"contents": [{"blob": loose}]}))
    assert (("contents", 0, "blob"), loose) in found.values
    assert (("contents", 0, "blob", DECODED), "loose text") in found.prose
    broken = "not base64 at all!"
    found = segments(content("resources/read", {"contents": [{"blob": broken}]}))
    assert found.values == [(("contents", 0, "blob"), broken)]


def test_decoded_data_that_is_not_text_is_not_a_segment(monkeypatch):
    def decoded(data: bytes) -> list:
        found = segments(content("resources/read", {"contents": [{"blob": b64(data)}]}))
        return [t for p, t in found.every if p[-1] == DECODED]

    assert decoded(b"") == []  # empty
    assert decoded(b"\xff\xfe\xfd") == []  # not UTF-8
    assert decoded(b"text\x00with a NUL") == []
    assert decoded(b"\x01\x02\x03\x04 mostly control") == []
    assert decoded(b"fine text") == ["fine text"]
    monkeypatch.setattr(events, "MAX_SNIFF_BYTES", 4)
    assert decoded(b"too long to sniff") == []


def test_textual_mime_types():
    for mime in (
        "text/plain",
        "TEXT/HTML; charset=utf-8",
        "application/json",
        "application/ld+json",
        "application/vnd.api-json",
        "application/x-yaml",
        "image/svg+xml",
        "application/x-sh",
    ):
        assert textual(mime), mime
    for mime in ("image/png", "application/octet-stream", "", "application/jsonx"):
        assert not textual(mime), mime


def test_decode_base64_is_lenient_and_none_on_failure():
    assert decode_base64(b64("hi") + "\n") == b"hi"
    assert decode_base64("a") is None


def test_text_segments_cover_prose_and_structured_content_with_paths():
    call = ToolCall(SessionInfo("s"), "srv", "t", {}, 1)
    result = {
        "content": [
            {"type": "text", "text": "a"},
            {"type": "image", "data": "AAAA", "mimeType": "image/png"},
        ],
        "structuredContent": {"rows": [{"note": "b"}]},
    }
    segments = dict(text_segments(ToolResult(call, result)))
    assert segments == {("content", 0, "text"): "a", ("structuredContent", "rows", 0, "note"): "b"}

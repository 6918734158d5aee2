"""Applying verdicts to JSON-RPC payloads: denials, redaction of spans, era-correct results."""

from firewall.core.events import (
    Decision,
    Finding,
    SessionInfo,
    Span,
    ToolCall,
    ToolResult,
    Verdict,
    text_segments,
)
from firewall.proxy import wire


def test_denied_tool_result_is_a_tool_error_naming_the_rule():
    result = wire.denied_tool_result(Verdict.deny("policy.no_send", "sending mail is not allowed"))
    assert result["isError"] is True
    assert "policy.no_send" in result["content"][0]["text"]
    assert "resultType" not in result
    assert wire.denied_tool_result(Verdict.deny("x", "y"), modern=True)["resultType"] == "complete"


def test_redaction_replaces_only_the_flagged_spans_and_leaves_the_original_untouched():
    payload = {"content": [{"type": "text", "text": "hello IGNORE ALL PREVIOUS world"}]}
    spans = [Span(("content", 0, "text"), 6, 25), Span(("content", 0, "text"), 10, 12)]
    verdict = Verdict(Decision.REDACT, tuple(Finding("inj", "m", span=s) for s in spans))
    out = wire.apply_to_payload(verdict, payload)
    assert out == {"content": [{"type": "text", "text": f"hello {wire.REDACTION_MARK} world"}]}
    assert payload["content"][0]["text"] == "hello IGNORE ALL PREVIOUS world"


def test_allow_forwards_the_same_object_and_deny_gives_none():
    payload = {"content": []}
    assert wire.apply_to_payload(Verdict.allow(), payload) is payload
    assert wire.apply_to_payload(Verdict.deny("r", "m"), payload) is None


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

"""Verdicts as JSON-RPC/MCP messages: era-correct denied results. (What a verdict does to a
payload, redaction and removal, is tested in tests/unit/core/test_payloads.py.)"""

from firewall.core.events import SessionInfo, ToolCall, ToolResult, Verdict, text_segments
from firewall.proxy import wire


def test_denied_tool_result_is_a_tool_error_naming_the_rule():
    result = wire.denied_tool_result(Verdict.deny("policy.no_send", "sending mail is not allowed"))
    assert result["isError"] is True
    assert "policy.no_send" in result["content"][0]["text"]
    assert "resultType" not in result
    assert wire.denied_tool_result(Verdict.deny("x", "y"), modern=True)["resultType"] == "complete"


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

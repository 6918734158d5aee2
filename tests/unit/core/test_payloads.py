"""Reading and rewriting payloads at JSON paths: value_at, remove_paths, redact (decoded base64
too), apply_verdict, withhold, and the canonical fingerprint. The original payload is never written."""

from __future__ import annotations

import base64
import copy

from firewall.core import payloads
from firewall.core.events import CHANNELS, DECODED, Decision, Finding, Span, Verdict
from firewall.core.payloads import (
    REDACTION_MARK,
    apply_verdict,
    fingerprint,
    prose_fields,
    redact,
    remove_paths,
    value_at,
    withhold,
)

MARK = REDACTION_MARK


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def redacting(*spans: Span) -> Verdict:
    return Verdict(Decision.REDACT, tuple(Finding("r", "m", span=s) for s in spans))


def test_fingerprint_is_canonical():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    assert fingerprint({"when": object}) == fingerprint({"when": str(object)})  # non-JSON as its str


def test_value_at_reads_strings_and_decoded_base64():
    payload = {"a": [{"b": "text"}, 3], "blob": b64("hidden"), "bad": "a"}
    assert value_at(payload, ("a", 0, "b")) == "text"
    assert value_at(payload, ("a", 1)) is None  # not a string
    assert value_at(payload, ("a", 5)) is None and value_at(payload, ("x", "y")) is None
    assert value_at(payload, ("blob", DECODED)) == "hidden"
    assert value_at(payload, ("bad", DECODED)) is None  # not base64
    assert value_at(payload, ("a", DECODED)) is None  # not a string
    assert value_at("top", ()) == "top"


def test_remove_paths_deletes_keys_and_list_items_on_a_copy():
    payload = {"a": [0, 1, 2, 3], "b": {"c": 1, "d": 2}, "s": "str"}
    original = copy.deepcopy(payload)
    out = remove_paths(
        payload, [("a", 1), ("a", 3), ("b", "c"), (), ("x", "y"), ("a", 9), ("s", 0), ("a", "k")]
    )
    assert out == {"a": [0, 2], "b": {"d": 2}, "s": "str"}
    assert payload == original


def test_redact_replaces_spans_merging_overlaps_on_a_copy():
    payload = {"t": "0123456789", "l": ["abc"], "n": 5}
    original = copy.deepcopy(payload)
    spans = [
        Span(("t",), 1, 3),
        Span(("t",), 2, 5),
        Span(("t",), 7, 8),
        Span(("t",), 5, 6),
        Span(("l", 0), 0, 1),
    ]
    out = redact(payload, [*spans, Span(("n",), 0, 1), Span(("missing",), 0, 1), Span((), 0, 1)])
    assert out["t"] == f"0{MARK}6{MARK}89"
    assert out["l"] == [f"{MARK}bc"] and out["n"] == 5
    assert payload == original


def test_redact_inside_decoded_base64_encodes_again():
    payload = {"contents": [{"blob": b64("Report. EVIL End.")}]}
    out = redact(payload, [Span(("contents", 0, "blob", DECODED), 7, 12)])
    assert base64.b64decode(out["contents"][0]["blob"]).decode() == f"Report.{MARK} End."
    assert payload["contents"][0]["blob"] == b64("Report. EVIL End.")
    assert redact({"x": "a"}, [Span(("x", DECODED), 0, 1)]) == {"x": "a"}  # not base64: skipped
    assert redact({"x": "y"}, [Span((DECODED,), 0, 1)]) == {"x": "y"}  # no field named


def test_a_string_indexed_like_a_list_is_not_rewritten():
    assert redact({"s": "abc"}, [Span(("s", 0), 0, 1)]) == {"s": "abc"}


def test_a_plain_span_on_a_base64_string_is_applied_before_its_decoded_spans():
    payload = {"b": b64("abcdef")}
    plain, decoded = Span(("b",), 0, 0), Span(("b", DECODED), 0, 1)
    out = redact(payload, [decoded, plain])
    assert out == redact(redact(payload, [plain]), [decoded])
    assert out != redact(redact(payload, [decoded]), [plain])


def test_apply_verdict_per_decision():
    payload = {"t": "secret"}
    assert apply_verdict(Verdict.allow(), payload) is payload
    assert apply_verdict(redacting(Span(("t",), 0, 6)), payload) == {"t": MARK}
    assert apply_verdict(Verdict.deny("r", "m"), payload) is None
    assert apply_verdict(Verdict(Decision.ASK), payload) is None


def test_withhold_drops_flagged_prose_fields_and_redacts_other_spans():
    channel = CHANNELS["initialize"]
    payload = {
        "serverInfo": {"name": "sX", "title": "T"},
        "instructions": "bad",
        "capabilities": {},
        "_meta": {"instructions": "kept"},
    }
    flagged = Verdict(
        Decision.DENY,
        (
            Finding("r", "m", span=Span(("instructions",), 0, 3)),
            Finding("r", "m", span=Span(("serverInfo", "name"), 1, 2)),
        ),
    )
    assert withhold(flagged, payload, channel) == {
        "serverInfo": {"name": "s" + MARK, "title": "T"},
        "capabilities": {},
        "_meta": {"instructions": "kept"},
    }
    unflagged = withhold(Verdict.deny("firewall.stage_error", "timeout"), payload, channel)
    assert unflagged == {"serverInfo": {"name": "sX"}, "capabilities": {}, "_meta": {"instructions": "kept"}}
    blob = {"instructions": "x", "contents": [{"blob": b64("data")}]}
    decoded = Verdict(Decision.DENY, (Finding("r", "m", span=Span(("contents", 0, "blob", DECODED), 0, 1)),))
    shown = withhold(decoded, blob, channel)
    assert (
        shown["instructions"] == "x"
        and base64.b64decode(shown["contents"][0]["blob"]).decode() == MARK + "ata"
    )


def test_prose_fields_of_a_channel():
    log = CHANNELS["notifications/message"]
    payload = {"data": {"any": "thing"}, "level": "info", "items": [{"message": "m"}], "_meta": {"data": 1}}
    assert list(prose_fields(payload, log)) == [("data",)]
    task = CHANNELS["task"]
    status = {"task": {"statusMessage": "working"}, "list": [{"statusMessage": "x", "n": 1}, "s"]}
    assert list(prose_fields(status, task)) == [("task", "statusMessage"), ("list", 0, "statusMessage")]


def test_a_denied_result_is_a_tool_error_naming_the_rule():
    result = payloads.denied_tool_result(Verdict.deny("policy.no_send", "sending mail is not allowed"))
    assert result["isError"] is True
    assert "policy.no_send" in result["content"][0]["text"]
    assert result["_meta"] == {"mcp-firewall/decision": "deny", "mcp-firewall/rules": ["policy.no_send"]}
    assert "resultType" not in result
    assert payloads.denied_tool_result(Verdict.deny("x", "y"), modern=True)["resultType"] == "complete"


def test_a_denial_without_findings_still_explains_itself():
    assert payloads.explain(Verdict(Decision.DENY)) == "mcp-firewall blocked this"

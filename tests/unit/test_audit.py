"""The audit log: one flushed JSONL record per decision, hashes by default, raw content on request."""

import json

from firewall.audit import SCHEMA, AuditLog
from firewall.events import SessionInfo, ToolCall, Verdict


def test_each_decision_is_one_flushed_record_without_raw_content(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    call = ToolCall(SessionInfo("sess", principal="alice"), "mail", "send", {"to": "x@y.z"}, 7)
    log.decision(call, Verdict.deny("rules.no_send", "no"), method="tools/call")
    # Flushed per record: readable before close.
    (line,) = path.read_text().splitlines()
    record = json.loads(line)
    assert record["schema"] == SCHEMA
    assert (record["session"], record["principal"], record["server"], record["tool"]) == (
        "sess",
        "alice",
        "mail",
        "send",
    )
    assert record["decision"] == "deny" and record["rule_ids"] == ["rules.no_send"]
    assert record["content"]["bytes"] == len('{"to":"x@y.z"}') and len(record["content"]["sha256"]) == 64
    assert "raw" not in record
    log.decision(call, Verdict.allow(), method="tools/call")
    assert len(path.read_text().splitlines()) == 2
    log.close()


def test_raw_content_only_when_asked(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, include_content=True)
    log.decision(ToolCall(SessionInfo("s"), "m", "t", {"a": 1}, 1), Verdict.allow(), method="tools/call")
    assert json.loads(path.read_text())["raw"] == {"a": 1}

"""Verdicts and replies as JSON-RPC messages: error codes, the denial reply, envelopes, the era test."""

from mcp_types import JSONRPCNotification, JSONRPCRequest

from firewall.core.events import Verdict
from firewall.proxy import wire


def test_a_denied_request_is_an_error_reply_naming_its_rules():
    reply = wire.denied_error(7, Verdict.deny("policy.no_send", "sending mail is not allowed"))
    assert reply.id == 7
    assert reply.error.code == wire.FIREWALL_DENIED
    assert "policy.no_send" in reply.error.message and "sending mail" in reply.error.message
    assert reply.error.data == {"rules": ["policy.no_send"]}


def test_an_error_without_a_readable_id_has_id_null():
    reply = wire.error(None, wire.INVALID_REQUEST, "bad id")
    assert reply.model_dump(by_alias=True, exclude_none=False)["id"] is None
    assert (reply.error.code, reply.error.message, reply.error.data) == (-32600, "bad id", None)


def test_requests_and_notifications_omit_params_they_do_not_have():
    bare = wire.request_message(3, "ping", None)
    assert isinstance(bare, JSONRPCRequest) and bare.params is None
    full = wire.request_message("a", "tools/list", {"cursor": "c"})
    assert isinstance(full, JSONRPCRequest) and full.params == {"cursor": "c"} and full.id == "a"
    assert wire.notification("notifications/initialized", None).params is None
    note = wire.notification("notifications/progress", {"progressToken": 1, "progress": 0.5})
    assert isinstance(note, JSONRPCNotification) and note.params == {"progressToken": 1, "progress": 0.5}
    assert wire.response(9, {"ok": True}).result == {"ok": True}


def test_the_modern_era_is_told_by_the_request_envelope():
    modern = {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}
    assert wire.is_modern(modern)
    assert not wire.is_modern({"_meta": {"io.modelcontextprotocol/protocolVersion": "2025-06-18"}})
    assert not wire.is_modern({"_meta": "not an object"})
    assert not wire.is_modern(None)

"""The demo inbox server: its tool list, what each tool does, and the --clean inbox without the
attacker's mail (the demo's benign run)."""

from __future__ import annotations

import importlib
import sys

import anyio
import pytest


@pytest.fixture
def demo(monkeypatch):
    def load(*argv: str):
        monkeypatch.setattr(sys, "argv", ["server", *argv])
        sys.modules.pop("firewall.tools.demo.server", None)
        return importlib.import_module("firewall.tools.demo.server")

    yield load
    sys.modules.pop("firewall.tools.demo.server", None)


def test_the_server_lists_its_three_tools_with_descriptions(demo):
    server = demo()
    tools = {t.name: t for t in anyio.run(server.server.list_tools)}
    assert sorted(tools) == ["delete_all_mail", "read_inbox", "send_email"]
    assert sorted(tools["send_email"].input_schema["required"]) == ["body", "subject", "to"]
    assert all(t.description for t in tools.values())


def test_the_inbox_carries_the_injection_unless_clean(demo):
    assert "ignore previous instructions" in demo().read_inbox()
    clean = demo("--clean")
    assert (
        "ignore previous instructions" not in clean.read_inbox() and "Quarterly numbers" in clean.read_inbox()
    )


def test_sending_records_the_mail_and_deleting_empties_the_inbox(demo):
    server = demo()
    assert server.send_email("carol@partner.example", "Numbers", "Up 12%") == "sent to carol@partner.example"
    assert server.sent == [{"to": "carol@partner.example", "subject": "Numbers", "body": "Up 12%"}]
    assert server.delete_all_mail() == "mailbox emptied" and server.read_inbox() == ""

"""Replay with scripted answers: a call the policy asks about is decided by the trace's person (the
call's `approve`, the last `approve` line, or replay's approver model), and its row says so."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from firewall.app import build_firewall
from firewall.config import FirewallConfig
from firewall.tools.replay import TraceError, parse_trace, replay
from firewall.tools.replay_command import APPROVER_MODELS, run_replay_command

TOOLS = [
    {"name": "read_email", "description": "Read the inbox", "inputSchema": {"type": "object"}},
    {"name": "delete_all_mail", "description": "Delete every mail", "inputSchema": {"type": "object"}},
]
INJECTED = "From: newsletter@deals.example\nDeals of the week: 20% off garden furniture."
"""Untrusted content that asks for nothing (an instruction to delete the mail would be denied:
baseline.content_directed_action), so the destructive call is asked about."""


def trace(*calls: dict[str, Any]) -> list[dict[str, Any]]:
    """The inbox is read (untrusted content), then each call deletes all mail (destructive: asks)."""
    lines: list[dict[str, Any]] = [
        {"type": "user", "content": "Summarise my inbox"},
        {"type": "tools_list", "server": "mail", "tools": TOOLS},
        {"type": "call", "id": "read", "server": "mail", "tool": "read_email"},
        {"type": "result", "id": "read", "content": INJECTED},
    ]
    for n, extra in enumerate(calls):
        lines += [
            extra
            if extra.get("type") == "approve"
            else {"type": "call", "id": n, "server": "mail", "tool": "delete_all_mail", **extra},
        ]
    return lines


def run(lines: list[dict[str, Any]], approve: Any = None) -> list[dict[str, Any]]:
    firewall = build_firewall(FirewallConfig.model_validate({"detect": {"classifier": "off"}}))
    try:
        return anyio.run(lambda: replay(parse_trace(lines), firewall, approve=approve))
    finally:
        firewall.audit.close()


def calls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["type"] == "call" and r["tool"] == "delete_all_mail"]


def test_each_scripted_answer_decides_the_ask_and_the_row_reports_it() -> None:
    rows = calls(run(trace({"approve": "deny"}, {"approve": "once"}, {}, {"approve": "session"}, {})))
    assert [r["asked"] for r in rows] == [True, True, True, True, True]
    assert [r["answer"] for r in rows] == ["deny", "once", None, "session", "grant"]
    assert [r["decision"] for r in rows] == ["deny", "allow", "deny", "allow", "allow"]
    assert "firewall.approval_declined" in rows[0]["rule_ids"]
    assert "firewall.approved" in rows[1]["rule_ids"]
    assert "firewall.approval_unavailable" in rows[2]["rule_ids"]  # no answer scripted: as today
    assert "baseline.destructive_in_untrusted_context" in rows[0]["rule_ids"]
    assert "delete_all_mail" in rows[0]["question"] and "untrusted content" in rows[0]["question"]


def test_an_approve_line_sets_the_default_and_the_model_answers_the_rest() -> None:
    rows = calls(run(trace({}, {"type": "approve", "answer": "once"}, {}, {"approve": "deny"}), "deny"))
    assert [r["answer"] for r in rows] == ["deny", "once", "deny"]
    assert [r["decision"] for r in rows] == ["deny", "allow", "deny"]


def test_expect_ask_means_asked_whatever_the_answer_and_old_expectations_hold() -> None:
    rows = calls(run(trace({"approve": "once", "expect": "ask"}, {"expect": "ask"}, {"expect": "deny"})))
    assert [r["ok"] for r in rows] == [True, True, True]
    read = run(trace())[2]
    assert read["asked"] is False  # a call nobody asks about


def test_a_bad_answer_is_refused_with_its_line() -> None:
    with pytest.raises(TraceError, match="line 5"):
        parse_trace(trace({"approve": "maybe"}))


@pytest.mark.parametrize(("model", "decision"), [("never", "deny"), ("always", "allow"), ("deny", "deny")])
def test_the_command_answers_with_its_approver_model(tmp_path: Path, capsys, model, decision) -> None:
    path, config = tmp_path / "t.jsonl", tmp_path / "fw.toml"
    path.write_text("".join(json.dumps(line) + "\n" for line in trace({"expect": "ask"})))
    config.write_text('[detect]\nclassifier = "off"\n')
    args = argparse.Namespace(trace=path, config=config, out=None, check=True, approve=model)
    assert run_replay_command(args) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert calls(rows)[0]["decision"] == decision
    assert calls(rows)[0]["answer"] == APPROVER_MODELS[model]


def test_the_cli_takes_the_approver_model(tmp_path: Path, capsys) -> None:
    from firewall.cli import main

    path, config = tmp_path / "t.jsonl", tmp_path / "fw.toml"
    path.write_text("".join(json.dumps(line) + "\n" for line in trace({"expect": "ask"})))
    config.write_text('[detect]\nclassifier = "off"\n')
    assert main(["replay", str(path), "--config", str(config), "--approve", "always"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert calls(rows)[0]["decision"] == "allow" and calls(rows)[0]["answer"] == "once"

"""Provenance end to end through `mcp-firewall wrap`: an untrusted server's output holds an email
address, a later call to another tool passes it, and the audit record traces it to that output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from gateway import DEMO_SERVER, wrapped_server
from mcp import Client

from tests.support import processes

pytestmark = pytest.mark.anyio


async def test_an_argument_copied_from_an_untrusted_output_is_traced_to_it(tmp_path: Path) -> None:
    # Provenance alone: the classifier and the policy would stop the mail.
    server, audit = wrapped_server(
        tmp_path, "[detect]\nclassifier = 'off'\n[policy]\npacks = []\n", DEMO_SERVER, "inbox"
    )
    async with Client(server, mode="legacy") as client:
        inbox = await client.call_tool("read_inbox", {})
        assert "alice@example.com" in inbox.content[0].text  # type: ignore[union-attr]
        await client.call_tool(
            "send_email", {"to": "Alice@Example.com", "subject": "Re", "body": "See you Monday"}
        )

    records = [json.loads(line) for line in audit.read_text().splitlines()]
    (result,) = [r for r in records if r["kind"] == "tool_result" and r["tool"] == "read_inbox"]
    (send,) = [r for r in records if r["kind"] == "tool_call" and r["tool"] == "send_email"]
    (output,) = result["provenance"]
    assert output["trust"] == "untrusted"  # no [provenance.servers.inbox] entry: untrusted by default
    derived = [d for d in send["provenance"]["derived_from"] if d["path"] == ["to"] and d["kind"] == "email"]
    assert derived and derived[0]["sources"] == [output["node"]]
    assert send["provenance"]["taint"]["trust"] == "untrusted"
    assert set(send["provenance"]["classes"]) >= {"sink", "egress"}  # no annotations: the spec's defaults

    rendered = processes.run(
        [sys.executable, "-m", "firewall", "graph", str(audit)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    graph = json.loads(rendered.stdout)
    edges = {(e["source"], e["target"]): e["kind"] for e in graph["edges"]}
    assert edges[(output["node"], send["provenance"]["node"])] == "derived_from"
    dot = processes.run(
        [sys.executable, "-m", "firewall", "graph", str(audit), "--format", "dot"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert dot.startswith("digraph") and f"{output['node']} -> {send['provenance']['node']}" in dot


def test_graph_command_explains_a_missing_or_empty_log(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    for path in (empty, tmp_path / "absent.jsonl"):
        done = processes.run(
            [sys.executable, "-m", "firewall", "graph", str(path)], capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 2 and "mcp-firewall graph:" in done.stderr

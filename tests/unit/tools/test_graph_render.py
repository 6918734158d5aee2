"""`mcp-firewall graph`: the provenance graph rebuilt from audit records (in the audit log's
format: provenance on calls and outputs), as node-link JSON and as Graphviz DOT."""

from __future__ import annotations

import json
from pathlib import Path

from firewall.tools.graph_render import sessions_in, to_dot, to_json


def result_record(session: str, node: int, text_trust: str = "untrusted") -> dict:
    return {
        "session": session,
        "kind": "tool_result",
        "server": "mail",
        "tool": "read_inbox",
        "decision": "allow",
        "provenance": [
            {
                "node": node,
                "kind": "tool_result",
                "trust": text_trust,
                "confidentiality": "private",
                "produced_by": node - 1,
            }
        ],
    }


def call_record(session: str, node: int, sources: list[int]) -> dict:
    return {
        "session": session,
        "kind": "tool_call",
        "server": "mail",
        "tool": "send_email",
        "decision": "deny",
        "provenance": {
            "node": node,
            "taint": {"trust": "untrusted", "confidentiality": "private"},
            "context": {"trust": "untrusted"},
            "classes": ["sink", "egress"],
            "derived_from": [
                {"path": ["to"], "kind": "email", "span": [0, 20], "sources": sources},
                {"path": ["body"], "kind": "substring", "span": [3, 9], "sources": sources[:1]},
            ],
        },
    }


def write_log(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    return path


def test_each_session_becomes_its_graph_with_derivation_edges_and_forgotten_sources(tmp_path):
    log = write_log(
        tmp_path / "audit.jsonl",
        [
            {"session": "s1", "kind": "tool_list", "server": "mail", "decision": "allow"},
            result_record("s1", 2),
            call_record("s1", 3, [2, 99]),
            result_record("s2", 5, "trusted"),
        ],
    )
    graphs = sessions_in(log)
    assert list(graphs) == ["s1", "s2"]
    s1 = graphs["s1"]
    assert s1.nodes[3]["kind"] == "tool_call" and s1.nodes[3]["decision"] == "deny"
    assert s1.nodes[99] == {"kind": "forgotten"}  # a source the live graph had already dropped
    edge = s1.edges[2, 3]
    assert edge["kind"] == "derived_from" and [m["path"] for m in edge["matches"]] == [["to"], ["body"]]
    assert s1.edges[1, 2]["kind"] == "produced"
    assert json.loads(to_json(s1))["edges"]


def test_dot_colours_by_trust_and_draws_derivations_bold(tmp_path):
    log = write_log(tmp_path / "audit.jsonl", [result_record("s", 2), call_record("s", 3, [2])])
    dot = to_dot(sessions_in(log)["s"])
    assert dot.startswith('digraph "session s" {')
    assert '3 [label="#3 tool_call\\nmail/send_email\\nuntrusted", shape=box, color="#e05252"];' in dot
    assert '2 -> 3 [label="to:email, body:substring", style=bold, color="#e05252"];' in dot
    assert '1 -> 2 [label="produced", style=dashed];' in dot
    assert 'color="#999999"' in dot  # the producing call, known only by its edge


def test_quotes_in_names_are_escaped(tmp_path):
    record = result_record('a"b', 2)
    record["tool"] = 'say "hi"\\now'
    dot = to_dot(sessions_in(write_log(tmp_path / "audit.jsonl", [record]))['a"b'])
    assert 'digraph "session a\\"b"' in dot and 'say \\"hi\\"\\\\now' in dot

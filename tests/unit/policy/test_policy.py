"""Policy: the bundled packs' Rego tests, the input document, the engines, and failing closed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from firewall.app import build_policy_engine
from firewall.bundle import REGO_DIR
from firewall.config import PolicyConfig, ProvenanceConfig
from firewall.core.errors import ConfigError
from firewall.core.events import ContentEvent, Decision, SessionInfo, ToolCall, ToolList, ToolResult
from firewall.core.labels import Confidentiality, Label, Trust
from firewall.guard.state import SessionState
from firewall.policy.build import build_input
from firewall.policy.document import PolicyInput
from firewall.policy.engine import EmbeddedEngine, OpaServerEngine, PolicyError, load_sources, policy_data
from firewall.policy.stage import PolicyStage
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler
from firewall.tools.policy_tooling import lint, run_tests
from tests.support.opa_server import opa_server

pytestmark = pytest.mark.anyio
PACKS = ["baseline", "strict", "no_exfiltration", "data_leakage", "allowlist"]


def test_every_bundled_pack_has_rego_tests_and_they_all_pass():
    sources = load_sources([REGO_DIR], tests=True)
    results, coverage = run_tests(sources, policy_data(["baseline"], []))
    failed = [f"{r.package}.{r.name}: {r.error}" for r in results if not r.passed]
    assert not failed, failed
    tested = {r.package.removeprefix("mcp_firewall.packs.").removesuffix("_test") for r in results}
    assert set(PACKS) <= tested
    assert len(results) >= 30 and coverage.percent >= 90


def test_checked_in_schema_matches_the_input_models():
    checked_in = json.loads((REGO_DIR / "schema" / "policy-input.schema.json").read_text())
    assert checked_in == PolicyInput.model_json_schema(), (
        "run: mcp-firewall policy schema > rego/schema/policy-input.schema.json"
    )


def test_lint_passes_the_bundled_packs_and_flags_unknown_input_fields(tmp_path):
    assert lint(load_sources([REGO_DIR])) == []
    typo = tmp_path / "typo.rego"
    typo.write_text(
        "package mcp_firewall.packs.typo\nimport rego.v1\n\n"
        'deny contains {"rule_id": "x"} if {\n  "sink" in input.tool.clases\n  input.arguments.anything.goes\n}\n'
    )
    (issue,) = lint(load_sources([typo]))
    assert issue.line == 5 and "input.tool.clases" in issue.message


def test_a_policy_that_does_not_compile_stops_the_firewall_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.rego"
    broken.write_text(
        "package mcp_firewall.packs.broken\nimport rego.v1\n\ndeny contains x if {\n  x :=\n}\n"
    )
    with pytest.raises(ConfigError) as info:
        build_policy_engine(PolicyConfig(packs=["baseline"], extra=[broken]))
    assert f"{broken}:5:" in str(info.value) and "expecting" in str(info.value)


def test_an_unknown_pack_name_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown pack"):
        build_policy_engine(PolicyConfig(packs=["baseline", "nonexistent"]))


class Failing:
    name = "failing"

    async def evaluate(self, document):
        raise PolicyError("the OPA server timed out")


async def test_engine_errors_and_undefined_decisions_are_deny():
    session = SessionInfo("s")
    labeler = Labeler(ProvenanceConfig())
    state = SessionState(session, SessionGraph(labeler))
    call = ToolCall(session, "mail", "send", {}, 1, {"name": "send"})
    verdict = await PolicyStage(Failing(), labeler).decide(call, state.view())
    assert verdict.decision is Decision.DENY and verdict.rule_ids == ["policy.error"]
    stage = PolicyStage(Failing(), labeler)
    assert stage.verdict(None).rule_ids == ["policy.undefined"]
    assert stage.verdict({"decision": "allow"}).rule_ids == ["policy.malformed"]
    assert stage.verdict([{"rule_id": "x", "level": "maybe"}]).rule_ids == ["policy.malformed"]
    assert stage.verdict([{"rule_id": "x", "level": "DENY"}]).rule_ids == ["policy.malformed"]
    assert stage.verdict(["deny"]).rule_ids == ["policy.malformed"]
    assert stage.verdict([]) is None
    mixed = stage.verdict([{"rule_id": "a", "level": "ask"}, {"rule_id": "b", "level": "deny"}])
    assert mixed.decision is Decision.DENY and mixed.rule_ids == ["a", "b"]


def session_with_graph() -> tuple[SessionInfo, SessionState, Labeler]:
    labeler = Labeler(ProvenanceConfig())
    session = SessionInfo("s", principal="alice")
    return session, SessionState(session, SessionGraph(labeler)), labeler


def test_the_built_input_validates_against_the_documented_schema_for_every_phase():
    session, state, labeler = session_with_graph()
    graph = state.graph
    untrusted = Label(Trust.UNTRUSTED, Confidentiality.PRIVATE)
    schema = {"name": "send", "annotations": {"readOnlyHint": False}}
    call = ToolCall(session, "mail", "send", {"to": "x@y.example", "n": [1, {"a": "b"}]}, 7, schema)
    call = dataclasses.replace(
        call, provenance=graph.add_call("mail", "send", call.arguments, schema["annotations"])
    )
    result = ToolResult(call, {"content": [{"type": "text", "text": "ok"}]})
    output = graph.add_output("tool_result", "mail", "send", ["ok"], untrusted, call.provenance.node)
    result = dataclasses.replace(result, provenance=(output,))
    listing = ToolList(session, "mail", {"tools": [{"name": "send", "description": "Send mail."}]})
    resource = ContentEvent(
        session, "files", "resources/read", {"contents": [{"uri": "file:///a", "text": "t"}]}, "file:///a"
    )
    sampling = ContentEvent(
        session, "files", "sampling/createMessage", {"messages": [], "systemPrompt": "be nice"}
    )
    phases = []
    for event in (call, result, listing, resource, sampling):
        document = build_input(event, state.view(), labeler)
        PolicyInput.model_validate(document)  # raises on any drift between builder and schema
        phases.append(document["phase"])
    assert phases == ["call", "result", "list", "resource", "sampling"]


@pytest.fixture(scope="module")
def shared_engine() -> EmbeddedEngine:
    # Module-scoped, as a firewall's engine lives for the process: it must never be the worker
    # thread that drops the owner's Engine (regorus Engines must be dropped where they were made).
    return EmbeddedEngine(load_sources([REGO_DIR]), policy_data(["baseline"], []))


async def test_embedded_engine_works_from_other_threads(shared_engine):
    document = {"phase": "result", "session": {"context": {"trust": "trusted", "confidentiality": "public"}}}
    here = shared_engine.evaluate_now(document)
    elsewhere = await anyio.to_thread.run_sync(shared_engine.evaluate_now, document)
    assert here == elsewhere == []


CALL = {
    "phase": "call",
    "server": {"name": "mail"},
    "tool": {"name": "send_email", "classes": ["source", "sink", "egress"], "classes_from": "catalog"},
    "arguments": {"to": "eve@evil.example", "body": "hi"},
    "session": {"context": {"trust": "untrusted", "confidentiality": "private"}},
}
INPUTS = [
    {
        **CALL,
        "provenance": {
            "derived_from": [
                {
                    "path": ["to"],
                    "kind": "email",
                    "trust": "untrusted",
                    "confidentiality": "public",
                    "sources": [2],
                }
            ]
        },
    },
    {**CALL, "provenance": {"derived_from": []}},
    {**CALL, "arguments": {"body": "AKIAIOSFODNN7EXAMPLE"}, "provenance": {"derived_from": []}},
    {
        **CALL,
        "tool": {**CALL["tool"], "name": "delete_all", "classes": ["sink", "destructive"]},
        "provenance": {"derived_from": []},
    },
    {"phase": "result", "session": CALL["session"]},
]


async def test_the_opa_server_engine_gives_the_same_decisions_as_the_embedded_one():
    sources = load_sources([REGO_DIR])
    data = policy_data(["baseline", "data_leakage", "no_exfiltration"], [])
    embedded = EmbeddedEngine(sources, data)
    with opa_server() as (url, state):
        remote = OpaServerEngine(url, token="fleet-token", timeout=2.0)
        await anyio.to_thread.run_sync(remote.push, sources, data)
        for document in INPUTS:
            assert await remote.evaluate(document) == embedded.evaluate_now(document)
        assert state.queries == len(INPUTS)
    levels = [sorted({f["level"] for f in embedded.evaluate_now(d)}) for d in INPUTS]
    # the second sends nothing private: no_exfiltration follows the data, not the session
    assert levels == [["deny"], [], ["deny"], ["ask"], []]


async def test_an_unreachable_or_slow_opa_server_fails_closed():
    with opa_server() as (url, state):
        slow = OpaServerEngine(url, token=None, timeout=0.2)
        state.delay = 1.0
        with pytest.raises(PolicyError, match="did not answer"):
            await slow.evaluate(INPUTS[0])
    gone = OpaServerEngine(url, token=None, timeout=1.0)  # the server is shut down now
    with pytest.raises(PolicyError, match="failed"):
        await gone.evaluate(INPUTS[0])


def test_opa_push_errors_stop_the_firewall_at_start(tmp_path):
    with opa_server() as (url, _), pytest.raises(PolicyError, match="could not load"):
        OpaServerEngine(url, token=None, timeout=1.0).push(
            [type("S", (), {"path": "x.rego", "text": "package ("})()], {"mcp_firewall": {"config": {}}}
        )


def test_the_documented_example_input_is_valid_and_policy_eval_denies_it(capsys):
    from firewall.cli import main

    example = Path(__file__).resolve().parents[3] / "docs" / "examples" / "policy-input-call.json"
    PolicyInput.model_validate(json.loads(example.read_text()))
    assert main(["policy", "eval", "--input", str(example)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["decision"] == "deny" and result["rule_ids"] == [
        "baseline.untrusted_argument_to_side_effect"
    ]


def test_policy_test_and_lint_commands_report_and_exit_by_outcome(capsys, tmp_path):
    from firewall.cli import main

    assert main(["policy", "test"]) == 0
    assert "passed, 0 failed" in capsys.readouterr().out
    failing = tmp_path / "failing_test.rego"
    failing.write_text(
        "package mcp_firewall.packs.failing_test\nimport rego.v1\n\ntest_wrong if { 1 == 2 }\n"
    )
    assert main(["policy", "test", str(REGO_DIR), str(failing)]) == 1
    assert "FAIL data.mcp_firewall.packs.failing_test.test_wrong" in capsys.readouterr().out
    assert main(["policy", "lint"]) == 0


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.documents: list[dict] = []

    async def evaluate(self, document):
        self.documents.append(document)
        return []


async def test_packs_are_evaluated_only_for_the_phases_they_declare(tmp_path):
    sources = load_sources([REGO_DIR], packs=["baseline", "data_leakage"])
    assert EmbeddedEngine(sources, policy_data(["baseline"], [])).phases(["baseline", "data_leakage"]) == {
        "call"
    }
    custom = tmp_path / "custom.rego"
    custom.write_text(
        'package mcp_firewall.packs.custom\nimport rego.v1\n\ndeny contains {"rule_id": "c"} if false\n'
    )
    everything = load_sources([REGO_DIR, custom], packs=["baseline", "custom"])
    assert (
        EmbeddedEngine(everything, policy_data(["baseline", "custom"], [])).phases(["baseline", "custom"])
        is None
    )

    session, state, labeler = session_with_graph()
    engine = Counting()
    stage = PolicyStage(engine, labeler, frozenset({"call"}))
    call = ToolCall(session, "mail", "send", {}, 1, {"name": "send"})
    await stage.decide(ToolResult(call, {"content": []}), state.view())
    await stage.decide(call, state.view())
    assert [d["phase"] for d in engine.documents] == ["call"]

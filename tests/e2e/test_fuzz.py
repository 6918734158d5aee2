"""Fuzz evidence for the hardening issue, on a small budget (bench/fuzz.py runs the same for longer).

`mcp-firewall wrap`, the stdio gateway and the gateway's HTTP front are fuzzed in both directions at
once: a seeded agent-side generator writes batches of lines (valid and invalid envelopes, wrong-typed
ids, request methods as notifications, odd notifications, tools/call with wrong-typed names and
arguments, random bytes, truncated and deep JSON, lines over the size limit, unicode), and every
server is tests/support/raw_server.py --fuzz, which answers each line with fuzzed replies and
notifications (bad and unknown ids, odd error objects, odd progress tokens, server requests with odd
params). After every batch the relay must be alive and answer a valid `tools/call echo` correctly in
time, and every `tools/call` a server received must match an allow record of its own in the audit
log (one-to-one by server, tool name and argument digest); the rule-denied tool never reaches a
server, and every well-formed request is answered.

MCP_FIREWALL_FUZZ_SEED picks another seed; a failure names the seed it ran with.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import fuzz

from firewall.audit import record_for
from firewall.core.events import SessionInfo, ToolCall, ToolResult, Verdict
from tests.support.raw_client import raw_process

pytestmark = pytest.mark.anyio

SEED = int(os.environ.get("MCP_FIREWALL_FUZZ_SEED", "20261124"))
BUDGET = {"wrap": (6000, 100), "gateway": (5000, 100), "http": (500, 50)}
"""target: (agent messages, messages per batch), about a minute for the three on two cores."""
EXIT = {"wrap": 0, "gateway": 0, "http": 143}
"""The exit status of a clean end: stdin closed (stdio), or SIGTERM (the HTTP front)."""


@pytest.mark.parametrize("target", list(BUDGET))
async def test_fuzzing_both_directions_never_crashes_hangs_or_lets_a_call_through_undecided(
    tmp_path: Path, target: str
) -> None:
    messages, batch = BUDGET[target]
    report = await fuzz.fuzz(target, messages=messages, seed=SEED, directory=tmp_path, batch=batch)
    detail = report.summary() + "".join(f"\n  - {failure}" for failure in report.failures)
    assert report.clean, detail
    assert report.messages == messages and report.probes == report.batches + 1, detail
    assert report.bad_output == 0 and report.internal_errors == 0 and report.tracebacks == 0, detail
    assert report.exit_codes == [EXIT[target]], detail
    # Not vacuous: allowed calls reached the servers, and the servers' fuzz reached the relay.
    assert report.calls_at_server > 0 and report.server_messages > 0, detail


def test_the_ledger_catches_a_call_without_its_record_and_the_denied_tool(tmp_path: Path) -> None:
    """The check itself: a server-side tools/call with no allow record (or other arguments than the
    record's), and any that names the denied tool, are counted."""
    record, audit = tmp_path / "received-server.jsonl", tmp_path / "audit.jsonl"

    def call(request_id: object, name: str, arguments: dict[str, object]) -> str:
        params = {"name": name, "arguments": arguments}
        return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params})

    def allowed(name: str, arguments: dict[str, object]) -> str:
        content = {"bytes": 0, "sha256": fuzz.digest(arguments)}
        return json.dumps({"kind": "tool_call", "decision": "allow", "tool": name, "content": content})

    audit.write_text(allowed("echo", {"text": "a"}) + "\n")
    record.write_text(call(1, "echo", {"text": "a"}) + "\n")
    ledger = fuzz.Ledger(audit, {"server": record}, by_server=False)
    ledger.check()
    assert (ledger.at_server, ledger.undecided, ledger.denied_reached) == (1, 0, 0)
    with record.open("a") as out:  # the same call again: its one record is spent
        out.write(call(2, "echo", {"text": "a"}) + "\n")
        out.write(call(3, "echo", {"text": "b"}) + "\n")
        out.write(call(None, "echo", {}) + "\n")  # a notification runs too, on a lenient server
        out.write(call(4, "delete_everything", {}) + "\n")
        out.write('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","argu')  # partial
    ledger.check()
    assert (ledger.at_server, ledger.undecided, ledger.denied_reached) == (5, 4, 1)


def test_a_probe_must_be_answered_with_its_own_echo() -> None:
    good = {"result": {"content": [{"type": "text", "text": f"Echo: {fuzz.PROBE}p-1"}]}}
    assert fuzz.probe_problem("p-1", good) is None
    assert fuzz.probe_problem("p-2", good) is not None
    assert fuzz.probe_problem("p-1", {"error": {"code": -32603, "message": "x"}}) is not None
    assert fuzz.probe_problem("p-1", None) is not None


# -- what the fuzzer found: minimal reproducers ------------------------------------------------------


async def test_gateway_completion_with_a_ref_that_is_not_an_object_is_refused_as_invalid_params(
    tmp_path: Path,
) -> None:
    """Found by the fuzzer: the stdio gateway's completion/complete called ref.get() on whatever
    params.ref was, so a string or a list failed in the catch-all (-32603, a traceback logged)."""
    async with raw_process(_gateway(tmp_path, fuzz.RAW_SERVER)) as peer:
        await peer.handshake()
        for request_id, ref in enumerate(["a__p", ["ref/prompt"], 5, True], start=2):
            params = {"ref": ref, "argument": {"name": "x", "value": "y"}}
            reply = await peer.request(request_id, "completion/complete", params)
            assert reply["error"]["code"] == -32602, reply
        await peer.close_stdin()
        assert await peer.wait() == 0
        assert "Traceback" not in await peer.stderr_text()


def _gateway(tmp_path: Path, *servers: list[str]) -> list[str]:
    listed = "".join(
        f"[servers.{name}]\ncommand = {json.dumps(command)}\n"
        for name, command in zip("ab", servers, strict=False)
    )
    config = tmp_path / "gw.toml"
    config.write_text(fuzz.CONFIG + '[gateway]\ntransport = "stdio"\n' + listed)
    return [sys.executable, "-m", "firewall", "serve", "--config", str(config)]


@pytest.mark.parametrize("target", ["wrap", "gateway"])
async def test_a_server_listing_malformed_tools_still_has_its_list_shown_and_its_tools_called(
    tmp_path: Path, target: str
) -> None:
    """Found by the fuzzer: tools/list entries whose name is a list or an object were used as dict
    keys (the tool catalog), so one malformed entry failed the agent's tools/list, and the
    firewall's own catalog fetch failed every tools/call (gateway: the merged list of every server)."""
    odd = [*fuzz.RAW_SERVER, "--odd-tools"]
    if target == "wrap":
        config = tmp_path / "fw.toml"
        config.write_text(fuzz.CONFIG)
        command = [sys.executable, "-m", "firewall", "wrap", "--config", str(config), "--", *odd]
        echo = "echo"
    else:
        command, echo = _gateway(tmp_path, odd, fuzz.RAW_SERVER), "b__echo"
    async with raw_process(command) as peer:
        await peer.handshake()
        reply = await peer.call(2, echo, {"text": "first"})  # the firewall fetches the catalog
        assert reply["result"]["content"][0]["text"] == "Echo: first", reply
        listed = await peer.request(3, "tools/list")
        names = [t.get("name") for t in listed["result"]["tools"] if isinstance(t, dict)]
        assert echo in names, listed
        reply = await peer.call(4, echo, {"text": "after the list"})
        assert reply["result"]["content"][0]["text"] == "Echo: after the list", reply
        await peer.close_stdin()
        assert await peer.wait() == 0
        assert "Traceback" not in await peer.stderr_text()


async def test_a_gateway_server_answering_a_list_with_no_list_is_left_out_of_the_merged_list(
    tmp_path: Path,
) -> None:
    """Found by the fuzzer: the gateway's fan-out extended its items with whatever the page held, so
    one server answering prompts/list with {"prompts": 1.5} failed the merged list of every server."""
    command = _gateway(tmp_path, [*fuzz.RAW_SERVER, "--odd-lists"], fuzz.RAW_SERVER)
    async with raw_process(command) as peer:
        await peer.handshake()
        for request_id, method in enumerate(
            ["prompts/list", "resources/list", "resources/templates/list"], 2
        ):
            reply = await peer.request(request_id, method)
            assert "result" in reply, reply
        reply = await peer.call(9, "b__echo", {"text": "still"})
        assert reply["result"]["content"][0]["text"] == "Echo: still", reply
        await peer.close_stdin()
        assert await peer.wait() == 0
        assert "Traceback" not in await peer.stderr_text()


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_a_tools_call_with_a_non_finite_number_is_refused_not_decided_on_one_value_and_run_on_another(
    tmp_path: Path, token: str
) -> None:
    """Found by the fuzzer's ledger: the SDK's parser accepts NaN and Infinity (and 1e400 overflows
    to inf), the firewall decided and audited the call on that value, and the SDK's serialiser
    forwarded null: the server ran arguments nobody had decided on. Such a call is now refused."""
    record = tmp_path / "received.jsonl"
    config = tmp_path / "fw.toml"
    config.write_text(fuzz.CONFIG)
    server = [*fuzz.RAW_SERVER, "--record", str(record)]
    command = [sys.executable, "-m", "firewall", "wrap", "--config", str(config), "--", *server]
    async with raw_process(command) as peer:
        await peer.handshake()
        line = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":'
        await peer.send_line(f'{line}{{"text":"x","n":{token}}}}}}}'.encode())
        reply = await peer.reply_to(2)
        assert reply.get("error", {}).get("code") == -32602, reply
        reply = await peer.call(3, "echo", {"text": "still"})
        assert reply["result"]["content"][0]["text"] == "Echo: still", reply
    calls = [json.loads(line) for line in record.read_text().splitlines() if '"tools/call"' in line]
    assert [call["params"]["arguments"] for call in calls] == [{"text": "still"}], calls


def test_the_audit_record_of_a_call_to_a_tool_named_by_the_empty_string_names_it() -> None:
    """Found by the fuzzer's ledger: a server may list a tool named "" and the firewall may allow a
    call to it, but its audit record had no tool at all (the name was read with `or`), so the
    record could not be told from one of a call with no name."""
    call = ToolCall(SessionInfo("s", principal="p"), "server", "", {}, 5)
    record = json.loads(
        record_for(call, Verdict.allow(), method="tools/call", include_content=False).to_json()
    )
    assert record["tool"] == "" and record["decision"] == "allow"
    result = ToolResult(call, {"content": []})
    record = json.loads(
        record_for(result, Verdict.allow(), method="tools/call", include_content=False).to_json()
    )
    assert record["tool"] == ""

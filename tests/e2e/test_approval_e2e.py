"""Human approval end to end: the real SDK client, the real everything server, a real
`mcp-firewall wrap` (stdio) or `serve` (HTTP) subprocess. A rule asks about `add`; the person
answers through the client's elicitation (handshake era) or a Multi Round-Trip Request (2026-07-28).
The server's record file proves what reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from feature_suite import everything_command, read_record, recorded_methods, tool_calls
from gateway import TOKEN, firewall_args, free_port, http_gateway
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult, InputRequiredResult

from firewall.approve.request_state import INPUT_KEY, PREFIX
from firewall.proxy.sdk import create_mcp_http_client

pytestmark = pytest.mark.anyio

ASK_ADD = (
    "[provenance.servers.everything]\ntrust = 'trusted'\n[detect]\nclassifier = 'off'\n"
    "[[rules]]\nid = 'test.ask-add'\ntool = '*add'\naction = 'ask'\nmessage = 'adding needs a person'\n"
)


def audit(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def calls_of(record: Path, tool: str) -> int:
    return len(tool_calls(read_record(record), tool)) if record.exists() else 0


def wrapped(tmp_path: Path, extra: str = "") -> tuple[StdioServerParameters, Path, Path]:
    record, log, config = tmp_path / "record.jsonl", tmp_path / "audit.jsonl", tmp_path / "fw.toml"
    config.write_text(ASK_ADD + extra)
    args = firewall_args("wrap", "--config", str(config), "--audit-log", str(log), "--name", "everything")
    params = StdioServerParameters(
        command=args[0], args=[*args[1:], "--", *everything_command(record=record)]
    )
    return params, record, log


class Person:
    """The person behind the client's elicitation UI: answers each question in turn."""

    def __init__(self, *answers: Any, delay: float = 0.0) -> None:
        self.answers = list(answers)
        self.delay = delay
        self.asked: list[Any] = []

    async def __call__(self, context: Any, params: Any) -> ElicitResult:
        self.asked.append(params)
        if self.delay:
            await anyio.sleep(self.delay)
        answer = self.answers.pop(0)
        if answer in ("decline", "cancel"):
            return ElicitResult(action=answer)
        return ElicitResult(action="accept", content={"decision": answer})


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_an_approved_call_is_forwarded_and_its_record_says_who_approved(
    mode: str, tmp_path: Path
) -> None:
    params, record, log = wrapped(tmp_path)
    person = Person("once")
    with anyio.fail_after(60):
        async with Client(params, mode=mode, elicitation_callback=person) as client:
            result = await client.call_tool("add", {"a": 2, "b": 3})
    assert not result.is_error and "5" in text_of(result)
    assert calls_of(record, "add") == 1
    # The person saw the tool, its arguments and the rule's reason, in words.
    (question,) = person.asked
    assert "add" in question.message and "a: 2" in question.message
    assert "adding needs a person" in question.message
    final = [r for r in audit(log) if r["kind"] == "tool_call" and r["decision"] != "ask"][-1]
    assert final["decision"] == "allow" and "firewall.approved" in final["rule_ids"]
    approval = final["approval"]
    assert approval["answer"] == "once"
    assert approval["via"] == ("elicitation" if mode == "legacy" else "mrtr")
    assert "adding needs a person" in approval["question"]["text"] and approval["at"]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
@pytest.mark.parametrize("answer", ["deny", "decline", "cancel"])
async def test_a_refused_call_never_reaches_the_server(mode: str, answer: str, tmp_path: Path) -> None:
    params, record, log = wrapped(tmp_path)
    with anyio.fail_after(60):
        async with Client(params, mode=mode, elicitation_callback=Person(answer)) as client:
            result = await client.call_tool("add", {"a": 2, "b": 3})
            echo = await client.call_tool("echo", {"text": "still serving"})
    said = {"deny": "denied it", "decline": "declined it", "cancel": "cancelled the question"}[answer]
    assert result.is_error and said in text_of(result) and "adding needs a person" in text_of(result)
    assert not echo.is_error
    assert calls_of(record, "add") == 0 and calls_of(record, "echo") == 1
    final = [r for r in audit(log) if r.get("tool") == "add" and r["decision"] == "deny"][-1]
    rule = "firewall.approval_cancelled" if answer == "cancel" else "firewall.approval_declined"
    assert rule in final["rule_ids"] and final["approval"]["answer"] == "deny"


async def test_no_answer_within_the_timeout_is_a_denial(tmp_path: Path) -> None:
    params, record, log = wrapped(tmp_path, "[approval]\ntimeout_seconds = 1\n")
    with anyio.fail_after(60):
        async with Client(params, mode="legacy", elicitation_callback=Person("once", delay=3)) as client:
            result = await client.call_tool("add", {"a": 2, "b": 3})
    assert result.is_error and "within 1 s" in text_of(result)
    assert calls_of(record, "add") == 0
    assert "firewall.approval_timeout" in [r for r in audit(log) if r.get("tool") == "add"][-1]["rule_ids"]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_a_client_without_elicitation_gets_a_denial_that_says_why(mode: str, tmp_path: Path) -> None:
    params, record, log = wrapped(tmp_path)
    with anyio.fail_after(60):
        async with Client(params, mode=mode) as client:
            result = await client.call_tool("add", {"a": 2, "b": 3})
    assert result.is_error
    assert "approval was needed" in text_of(result) and "elicitation" in text_of(result)
    assert calls_of(record, "add") == 0
    assert (
        "firewall.approval_unavailable" in [r for r in audit(log) if r.get("tool") == "add"][-1]["rule_ids"]
    )


async def test_approve_for_this_session_covers_the_same_shape_only(tmp_path: Path) -> None:
    params, record, log = wrapped(tmp_path)
    person = Person("session", "deny")
    with anyio.fail_after(60):
        async with Client(params, mode="legacy", elicitation_callback=person) as client:
            first = await client.call_tool("add", {"a": 2, "b": 3})
            second = await client.call_tool("add", {"a": 10, "b": 20})  # same names, same types
            other = await client.call_tool("add", {"a": "x", "b": 1})  # another shape: asked again
    assert not first.is_error and not second.is_error and other.is_error
    assert len(person.asked) == 2
    assert calls_of(record, "add") == 2
    granted = [r for r in audit(log) if r.get("tool") == "add" and r["kind"] == "tool_call"][1]
    assert "firewall.approval_grant" in granted["rule_ids"]
    assert granted["approval"]["grant"]["answer"] == "session"


async def _first_round(client: Client, arguments: dict[str, Any]) -> InputRequiredResult:
    first = await client.session.call_tool("add", arguments, allow_input_required=True)
    assert isinstance(first, InputRequiredResult)
    assert first.request_state is not None and first.request_state.startswith(PREFIX)
    assert first.input_requests is not None and INPUT_KEY in first.input_requests
    return first


ACCEPT = {INPUT_KEY: ElicitResult(action="accept", content={"decision": "once"})}


async def test_a_tampered_replayed_misbound_or_expired_request_state_is_refused(tmp_path: Path) -> None:
    params, record, log = wrapped(tmp_path, "[approval]\nstate_ttl_seconds = 2\n")
    with anyio.fail_after(60):
        async with Client(params, mode="2026-07-28", elicitation_callback=Person()) as client:
            session = client.session
            first = await _first_round(client, {"a": 1, "b": 2})
            state = first.request_state
            assert state is not None
            body, _, mac = state.partition(".")[2].partition(".")
            tampered = f"{PREFIX}{body[:-2]}AA.{mac}"
            with pytest.raises(MCPError, match="not authentic"):
                await session.call_tool(
                    "add", {"a": 1, "b": 2}, input_responses=ACCEPT, request_state=tampered
                )
            with pytest.raises(MCPError, match="not the request"):
                await session.call_tool("add", {"a": 1, "b": 99}, input_responses=ACCEPT, request_state=state)
            done = await session.call_tool(
                "add", {"a": 1, "b": 2}, input_responses=ACCEPT, request_state=state
            )
            assert not done.is_error  # type: ignore[union-attr]
            with pytest.raises(MCPError, match="already used"):
                await session.call_tool("add", {"a": 1, "b": 2}, input_responses=ACCEPT, request_state=state)
            late = await _first_round(client, {"a": 5, "b": 6})
            await anyio.sleep(2.2)
            with pytest.raises(MCPError, match="expired"):
                await session.call_tool(
                    "add", {"a": 5, "b": 6}, input_responses=ACCEPT, request_state=late.request_state
                )
    assert calls_of(record, "add") == 1  # only the one verified retry
    refused = [r for r in audit(log) if "firewall.invalid_message" in r["rule_ids"]]
    assert len(refused) == 4


def _gateway_config(tmp_path: Path, port: int, record: Path) -> Path:
    command = ", ".join(f"'{part}'" for part in everything_command(record=record))
    config = tmp_path / "gw.toml"
    config.write_text(
        ASK_ADD
        + f"[gateway]\ntransport = 'http'\nport = {port}\n"
        + f"[[gateway.tokens]]\ntoken = '{TOKEN}'\nprincipal = 'alice'\n"
        + f"[servers.everything]\ncommand = [{command}]\n"
    )
    return config


async def test_over_http_the_question_goes_to_the_client_on_the_call_stream(tmp_path: Path) -> None:
    record, log, port = tmp_path / "record.jsonl", tmp_path / "audit.jsonl", free_port()
    with http_gateway(_gateway_config(tmp_path, port, record), port, log) as url:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with anyio.fail_after(60):
            person = Person("once", "deny")
            async with (
                create_mcp_http_client(headers=headers) as http,
                Client(
                    streamable_http_client(url, http_client=http), mode="legacy", elicitation_callback=person
                ) as client,
            ):
                approved = await client.call_tool("everything__add", {"a": 2, "b": 3})
                denied = await client.call_tool("everything__add", {"a": 4, "b": 5})
            async with (
                create_mcp_http_client(headers=headers) as http,
                Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
            ):
                unasked = await client.call_tool("everything__add", {"a": 6, "b": 7})
    assert not approved.is_error and "5" in text_of(approved)
    assert denied.is_error and unasked.is_error and "elicitation" in text_of(unasked)
    assert calls_of(record, "add") == 1
    records = [r for r in audit(log) if r.get("tool") == "add" and r["kind"] == "tool_call"]
    assert [r["approval"].get("answer") for r in records] == ["once", "deny", "deny"]
    assert {r["principal"] for r in records} == {"alice"}
    assert "tools/call" in recorded_methods(read_record(record))


async def test_cancelling_the_call_withdraws_its_question(tmp_path: Path) -> None:
    params, record, log = wrapped(tmp_path)
    asked = anyio.Event()

    async def slow_person(context: Any, params: Any) -> ElicitResult:
        asked.set()
        await anyio.sleep(30)
        return ElicitResult(action="accept", content={"decision": "once"})

    with anyio.fail_after(60):
        async with Client(params, mode="legacy", elicitation_callback=slow_person) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.call_tool, "add", {"a": 1, "b": 2})
                await asked.wait()
                tg.cancel_scope.cancel()
            echo = await client.call_tool("echo", {"text": "still serving"})
            assert not echo.is_error
            for _ in range(100):  # the denial is recorded once the firewall hears of the cancel
                if any(r.get("tool") == "add" for r in audit(log)):
                    break
                await anyio.sleep(0.05)
    assert calls_of(record, "add") == 0
    (denied,) = [r for r in audit(log) if r.get("tool") == "add"]
    # The SDK client ends its own dialog when the call is cancelled (an error reply); a client
    # that does not gets the firewall's cancellation (ClientAsker.withdraw). Either way: denied.
    assert denied["decision"] == "deny" and denied["approval"]["answer"] == "deny"
    assert {"firewall.approval_cancelled", "firewall.approval_invalid"} & set(denied["rule_ids"])

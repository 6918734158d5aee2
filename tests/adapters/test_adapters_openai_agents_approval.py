"""Human approval in the Agents SDK adapter, end to end: the SDK's ScriptedModel drives a real
`Runner.run` against the demo inbox MCP server over stdio (MCPServerStdio), with a config that asks
before every send_email. The ask becomes one of the run's approval interruptions, with the
firewall's question; approving resumes the run and the call goes through, rejecting does not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("agents")

from adapters_support import (
    ASK_MESSAGE,
    ASK_RULE,
    REPLY,
    SYSTEM,
    USER_TASK,
    asking_config,
    audited_calls,
    inbox_command,
    sent_mail,
)
from agents import Agent, Runner, RunResult, function_tool, set_tracing_disabled
from agents.mcp import MCPServerStdio
from agents.testing import ScriptedModel, assistant_message, function_call
from mcp_firewall_adapters.openai_agents import AgentsFirewall

from firewall.approve.question import Question

set_tracing_disabled(True)  # offline: no trace export

Answer = Callable[[AgentsFirewall, Any, Any], None]


def outputs(result: RunResult) -> list[str]:
    """The tool outputs the model was given, in order."""
    return [str(item.output) for item in result.new_items if item.type == "tool_call_output_item"]


async def interrupted_then_resumed(
    firewall: AgentsFirewall, outbox: Path, answer: Answer
) -> tuple[RunResult, list[dict[str, Any]], RunResult]:
    """Run until the approval interruption; answer it; resume. Returns the interrupted run, what the
    server had sent by then, and the resumed run."""
    model = ScriptedModel(
        [[function_call("send_email", REPLY, call_id="call-1")], [assistant_message("Done.")]]
    )
    command = inbox_command(outbox, clean=True)
    params = {"command": command[0], "args": command[1:]}
    async with firewall.protect(MCPServerStdio(params=params, name="inbox")) as inbox:  # type: ignore[arg-type]
        agent = Agent(name="assistant", instructions=SYSTEM, model=model, mcp_servers=[inbox])
        first = await Runner.run(agent, USER_TASK, hooks=firewall.hooks)
        sent_before = sent_mail(outbox)
        state = first.to_state()
        for item in first.interruptions:
            answer(firewall, state, item)
        resumed = await Runner.run(agent, state, hooks=firewall.hooks)
    return first, sent_before, resumed


@pytest.mark.anyio
async def test_an_ask_is_an_approval_interruption_and_approving_runs_the_call(outbox: Path, tmp_path: Path):
    firewall = AgentsFirewall(asking_config(tmp_path))
    try:
        first, sent_before, resumed = await interrupted_then_resumed(
            firewall, outbox, lambda fw, state, item: fw.approve(state, item, by="alice")
        )
        (item,) = first.interruptions
        question = firewall.question(item)
    finally:
        firewall.runtime.close()
    assert question is None  # the resumed call took its decision
    assert item.tool_name == "send_email"
    assert sent_before == []  # the server did not see the call before the approval
    assert sent_mail(outbox) == [REPLY]
    assert outputs(resumed) and "sent to carol@partner.example" in outputs(resumed)[-1]
    pending, settled = audited_calls(tmp_path)
    assert pending["approval"]["pending"] is True
    text = pending["approval"]["question"]["text"]
    assert ASK_MESSAGE in text and "carol@partner.example" in text
    assert settled["decision"] == "allow" and ASK_RULE in settled["rule_ids"]
    approval = settled["approval"]
    assert (approval["answer"], approval["by"], approval["via"]) == ("once", "alice", "adapter")
    assert approval["question"]["text"] == text


@pytest.mark.anyio
async def test_the_interruption_carries_the_question_and_rejecting_never_runs_the_call(
    outbox: Path, tmp_path: Path
):
    firewall = AgentsFirewall(asking_config(tmp_path))
    asked: list[Question | None] = []

    def reject(fw: AgentsFirewall, state: Any, item: Any) -> None:
        asked.append(fw.question(item))
        fw.reject(state, item, message="not now")

    try:
        _, _, resumed = await interrupted_then_resumed(firewall, outbox, reject)
    finally:
        firewall.runtime.close()
    (question,) = asked
    assert question is not None and question.title == "Allow send_email on inbox?"
    assert ASK_MESSAGE in question.text and question.arguments == REPLY
    assert sent_mail(outbox) == []  # the server never saw it
    (denial,) = outputs(resumed)
    assert "user denied it" in denial and "not now" in denial
    *_, settled = audited_calls(tmp_path)
    assert settled["decision"] == "deny" and settled["approval"]["answer"] == "deny"


@pytest.mark.anyio
async def test_a_plain_sdk_approval_is_recorded_too(outbox: Path, tmp_path: Path):
    firewall = AgentsFirewall(asking_config(tmp_path))
    try:
        await interrupted_then_resumed(firewall, outbox, lambda fw, state, item: state.approve(item))
    finally:
        firewall.runtime.close()
    assert sent_mail(outbox) == [REPLY]
    *_, settled = audited_calls(tmp_path)
    assert (settled["approval"]["answer"], settled["approval"]["via"]) == ("once", "adapter")


@pytest.mark.anyio
@pytest.mark.parametrize("decision", [True, False])
async def test_an_approver_callable_decides_without_an_interruption(tmp_path: Path, decision: bool) -> None:
    sent: list[str] = []

    @function_tool
    def send_email(to: str, subject: str, body: str) -> str:
        """Send an email."""
        sent.append(to)
        return f"sent to {to}"

    async def approver(question: Question) -> bool:
        assert ASK_MESSAGE in question.text
        return decision

    decide: Callable[[Question], Awaitable[bool]] = approver
    firewall = AgentsFirewall(asking_config(tmp_path), approver=decide)
    try:
        tools = firewall.protect_tools([send_email], server="inbox")
        model = ScriptedModel(
            [[function_call("send_email", REPLY, call_id="c1")], [assistant_message("Done.")]]
        )
        agent = Agent(name="assistant", instructions=SYSTEM, model=model, tools=tools)
        result = await Runner.run(agent, USER_TASK, hooks=firewall.hooks)
    finally:
        firewall.runtime.close()
    assert result.interruptions == []
    assert sent == (["carol@partner.example"] if decision else [])
    (settled,) = audited_calls(tmp_path)
    assert settled["approval"]["via"] == "callable"
    assert settled["approval"]["answer"] == ("once" if decision else "deny")

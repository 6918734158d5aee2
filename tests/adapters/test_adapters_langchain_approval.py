"""Human approval in the LangChain adapter, end to end: a real `create_agent` loop (LangChain's fake
chat model emitting the tool calls) against the demo inbox MCP server over stdio, with a config
that asks before every send_email. With a checkpointer the graph pauses on a LangGraph interrupt
carrying the firewall's question and resumes with the person's decision; `approver=` decides in
the program; with neither, the call is denied with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langchain.agents")

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
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_firewall_adapters import FirewallRuntime
from mcp_firewall_adapters.langchain import FirewallMiddleware, guard_tools, mcp_tools

from firewall.approve.question import Question

THREAD = {"configurable": {"thread_id": "approval-1"}}


class ScriptedChatModel(FakeMessagesListChatModel):
    """LangChain's fake chat model; tools bound to it are ignored (it emits scripted calls)."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def send(args: dict[str, Any], call_id: str) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": "send_email", "args": args, "id": call_id}])


def tool_messages(result: dict[str, Any]) -> list[ToolMessage]:
    return [m for m in result["messages"] if isinstance(m, ToolMessage)]


async def paused_then_resumed(
    middleware: FirewallMiddleware, outbox: Path, decision: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Run the agent until it pauses; then resume it with `decision`. Returns the interrupt's
    value, what the server had sent while paused, and the resumed run's result."""
    command = inbox_command(outbox, clean=True)
    async with Client(StdioServerParameters(command=command[0], args=command[1:]), mode="legacy") as client:
        tools = await mcp_tools(client, server="inbox")
        model = ScriptedChatModel(responses=[send(REPLY, "c1"), AIMessage("Done.")])
        agent = create_agent(
            model, tools, middleware=[middleware], system_prompt=SYSTEM, checkpointer=InMemorySaver()
        )
        paused = await agent.ainvoke({"messages": [{"role": "user", "content": USER_TASK}]}, THREAD)
        (pending,) = paused["__interrupt__"]
        sent_while_paused = sent_mail(outbox)
        resumed = await agent.ainvoke(Command(resume=decision), THREAD)
    return pending.value, sent_while_paused, resumed


@pytest.mark.anyio
async def test_the_graph_pauses_with_the_question_and_an_approval_sends_the_mail(
    outbox: Path, tmp_path: Path
):
    middleware = FirewallMiddleware(asking_config(tmp_path))
    try:
        value, sent_while_paused, resumed = await paused_then_resumed(
            middleware, outbox, {"type": "approve", "by": "alice"}
        )
    finally:
        middleware.runtime.close()
    # the interrupt is a HITL per-call tool approval request carrying the firewall's question
    assert value["type"] == "tool_approval" and value["tool_call_id"] == "c1"
    assert value["name"] == "send_email" and value["args"] == REPLY
    question = value["question"]
    assert value["description"] == question["text"]
    assert question["title"] == "Allow send_email on inbox?"
    assert ASK_MESSAGE in question["text"] and "carol@partner.example" in question["text"]
    assert question["arguments"] == REPLY and question["reasons"]
    assert sent_while_paused == []  # the server did not see the call before the approval
    assert sent_mail(outbox) == [REPLY]  # after it, the call went through unchanged
    (message,) = tool_messages(resumed)
    assert message.status == "success"
    *_, settled = audited_calls(tmp_path)
    assert settled["decision"] == "allow" and ASK_RULE in settled["rule_ids"]
    approval = settled["approval"]
    assert (approval["answer"], approval["by"], approval["via"]) == ("once", "alice", "adapter")
    assert approval["question"]["id"] == question["id"] and approval["at"]


@pytest.mark.anyio
async def test_a_rejection_returns_the_denial_and_the_server_never_sees_the_call(
    outbox: Path, tmp_path: Path
):
    middleware = FirewallMiddleware(asking_config(tmp_path))
    try:
        _, _, resumed = await paused_then_resumed(
            middleware, outbox, {"type": "reject", "message": "not now"}
        )
    finally:
        middleware.runtime.close()
    assert sent_mail(outbox) == []
    (message,) = tool_messages(resumed)
    assert message.status == "error"
    assert "user denied it" in message.text and "not now" in message.text and ASK_MESSAGE in message.text
    *_, settled = audited_calls(tmp_path)
    assert settled["decision"] == "deny" and settled["approval"]["answer"] == "deny"


@pytest.mark.anyio
async def test_an_approver_callable_decides_and_a_session_grant_covers_the_next_call(
    outbox: Path, tmp_path: Path
):
    asked: list[Question] = []

    def approver(question: Question) -> str:
        asked.append(question)
        return "session"

    middleware = FirewallMiddleware(asking_config(tmp_path), approver=approver)
    command = inbox_command(outbox, clean=True)
    try:
        async with Client(
            StdioServerParameters(command=command[0], args=command[1:]), mode="legacy"
        ) as client:
            tools = await mcp_tools(client, server="inbox")
            other = {**REPLY, "body": "Costs are down 3%."}
            model = ScriptedChatModel(responses=[send(REPLY, "c1"), send(other, "c2"), AIMessage("Done.")])
            agent = create_agent(model, tools, middleware=[middleware])  # no checkpointer needed
            result = await agent.ainvoke({"messages": [{"role": "user", "content": USER_TASK}]})
    finally:
        middleware.runtime.close()
    assert [m.status for m in tool_messages(result)] == ["success", "success"]
    assert sent_mail(outbox) == [REPLY, other]
    assert len(asked) == 1 and ASK_MESSAGE in asked[0].text  # the second call: the session's grant
    first, second = audited_calls(tmp_path)
    assert (first["approval"]["answer"], first["approval"]["via"]) == ("session", "callable")
    assert second["approval"]["grant"]["answer"] == "session"


@pytest.mark.anyio
async def test_without_an_approver_or_a_checkpointer_the_call_is_denied_with_the_reason(
    outbox: Path, tmp_path: Path
):
    middleware = FirewallMiddleware(asking_config(tmp_path))
    command = inbox_command(outbox, clean=True)
    try:
        async with Client(
            StdioServerParameters(command=command[0], args=command[1:]), mode="legacy"
        ) as client:
            tools = await mcp_tools(client, server="inbox")
            model = ScriptedChatModel(responses=[send(REPLY, "c1"), AIMessage("Done.")])
            agent = create_agent(model, tools, middleware=[middleware])
            result = await agent.ainvoke({"messages": [{"role": "user", "content": USER_TASK}]})
    finally:
        middleware.runtime.close()
    (message,) = tool_messages(result)
    assert message.status == "error" and "approval was needed" in message.text
    assert sent_mail(outbox) == []
    assert "firewall.approval_unavailable" in audited_calls(tmp_path)[-1]["rule_ids"]


def test_a_guarded_plain_tool_pauses_a_graph_too(tmp_path: Path):
    sent: list[str] = []

    @tool
    def send_email(to: str, body: str) -> str:
        """Send an email."""
        sent.append(to)
        return f"sent to {to}"

    with FirewallRuntime(asking_config(tmp_path)) as runtime:
        session = runtime.session()
        session.add_message("user", "Tell bob@corp.example the offers.")
        (guarded,) = guard_tools([send_email], session, server="inbox")
        model = ScriptedChatModel(
            responses=[
                AIMessage(
                    "",
                    tool_calls=[
                        {
                            "name": "send_email",
                            "args": {"to": "bob@corp.example", "body": "Offers."},
                            "id": "c1",
                        }
                    ],
                ),
                AIMessage("Done."),
            ]
        )
        agent = create_agent(model, [guarded], checkpointer=InMemorySaver())
        paused = agent.invoke({"messages": [{"role": "user", "content": "Tell bob."}]}, THREAD)
        (pending,) = paused["__interrupt__"]
        assert pending.value["question"]["tool"] == "send_email" and sent == []
        resumed = agent.invoke(Command(resume={"type": "approve"}), THREAD)
        assert sent == ["bob@corp.example"]
        assert tool_messages(resumed)[-1].text == "sent to bob@corp.example"


def test_a_sync_agent_pauses_and_resumes_for_the_approval_for_this_session(tmp_path: Path):
    sent: list[str] = []

    @tool
    def send_email(to: str, subject: str, body: str) -> str:
        """Send an email."""
        sent.append(to)
        return f"sent to {to}"

    middleware = FirewallMiddleware(asking_config(tmp_path), server="inbox")
    try:
        later = {**REPLY, "body": "Costs are down 3%."}
        model = ScriptedChatModel(responses=[send(REPLY, "c1"), send(later, "c2"), AIMessage("Done.")])
        agent = create_agent(model, [send_email], middleware=[middleware], checkpointer=InMemorySaver())
        paused = agent.invoke({"messages": [{"role": "user", "content": USER_TASK}]}, THREAD)
        assert paused["__interrupt__"][0].value["question"]["tool"] == "send_email" and sent == []
        resumed = agent.invoke(Command(resume={"type": "approve", "scope": "session"}), THREAD)
    finally:
        middleware.runtime.close()
    assert "__interrupt__" not in resumed  # the second call: the session's grant, no second pause
    assert sent == ["carol@partner.example", "carol@partner.example"]
    first, second = (r for r in audited_calls(tmp_path) if "pending" not in r["approval"])
    assert first["approval"]["answer"] == "session" and second["approval"]["grant"]["answer"] == "session"

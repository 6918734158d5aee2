"""The policy phase of an event: one map (the channels' table in core/events.py), read by method."""

import pytest

from firewall.core.events import ContentEvent, SessionInfo, ToolCall, ToolList, ToolResult
from firewall.policy.build import phase_of

SESSION = SessionInfo("s")


@pytest.mark.parametrize(
    ("method", "channel", "phase"),
    [
        ("resources/read", "", "resource"),
        ("resources/read", "error", "resource"),  # an error reply is judged as what it stands for
        ("prompts/get", "", "prompt"),
        ("sampling/createMessage", "", "sampling"),
        ("elicitation/create", "", "elicitation"),
        ("initialize", "", "list"),
        ("notifications/message", "", "list"),
        ("vendor/unknown", "", "list"),
    ],
)
def test_content_is_judged_in_the_phase_of_its_method(method: str, channel: str, phase: str) -> None:
    assert phase_of(ContentEvent(SESSION, "srv", method, {}, channel=channel)) == phase


def test_calls_results_and_lists_have_their_own_phases() -> None:
    call = ToolCall(SESSION, "srv", "t", {}, 1)
    assert phase_of(call) == "call"
    assert phase_of(ToolResult(call, {"content": []})) == "result"
    assert phase_of(ToolList(SESSION, "srv", {"tools": []})) == "list"

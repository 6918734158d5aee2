"""The pipeline's combine rule and its fail-closed handling of broken stages."""

import pytest

from firewall.core.events import Decision, Finding, SessionInfo, ToolCall, Verdict
from firewall.core.pipeline import Pipeline, combine

pytestmark = pytest.mark.anyio


class Fixed:
    def __init__(self, name: str, verdict: Verdict | None) -> None:
        self.name, self.verdict = name, verdict

    async def decide(self, event):
        return self.verdict


class Broken:
    name = "broken"

    async def decide(self, event):
        raise RuntimeError("detector exploded")


def call() -> ToolCall:
    return ToolCall(SessionInfo("s"), "srv", "echo", {"text": "hi"}, 1, {"name": "echo"})


def v(decision: Decision, rule: str = "r") -> Verdict:
    return Verdict(decision, (Finding(rule, "m"),))


def test_most_severe_decision_wins_whatever_the_order():
    verdicts = [v(Decision.ALLOW), v(Decision.DENY, "d"), v(Decision.REDACT, "x")]
    assert combine(verdicts).decision is Decision.DENY
    assert combine(list(reversed(verdicts))).decision is Decision.DENY
    assert {f.rule_id for f in combine(verdicts).findings} == {"r", "d", "x"}


def test_no_stages_means_allow():
    assert combine([]).decision is Decision.ALLOW


async def test_stage_that_raises_ends_in_deny_with_a_finding_naming_it():
    verdict = await Pipeline([Fixed("ok", None), Broken()]).decide(call())
    assert verdict.decision is Decision.DENY
    (finding,) = verdict.findings
    assert finding.rule_id == "firewall.stage_error"
    assert "broken" in finding.message and "detector exploded" in finding.message


async def test_fail_open_is_explicit_and_allows_past_a_broken_stage(caplog):
    verdict = await Pipeline([Broken()], fail_open=True).decide(call())
    assert verdict.decision is Decision.ALLOW
    assert "FAIL-OPEN" in caplog.text


async def test_ask_is_treated_as_deny_until_approval_exists():
    verdict = await Pipeline([Fixed("asker", v(Decision.ASK, "needs.human"))]).decide(call())
    assert verdict.decision is Decision.DENY
    assert verdict.rule_ids == ["firewall.ask_unsupported", "needs.human"]

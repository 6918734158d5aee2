"""The pipeline: every stage decides, the most severe decision wins, findings reach later stages
through the view (never the event), broken stages fail closed (or, explicitly, open), a timed stage
that overruns is a broken stage, and an ASK ends as a DENY."""

from __future__ import annotations

import dataclasses

import anyio
import pytest

from firewall.core.events import Decision, Finding, SessionInfo, ToolCall, Verdict
from firewall.core.pipeline import Pipeline, Stage, TimedStage, combine

pytestmark = pytest.mark.anyio


@dataclasses.dataclass(frozen=True)
class View:
    """The part of a SessionView the pipeline itself uses: the findings so far."""

    findings: tuple[Finding, ...] = ()

    def with_findings(self, findings: tuple[Finding, ...]) -> View:
        return View(findings)


class Fixed:
    """Returns its verdict, and remembers the findings its view carried."""

    def __init__(self, name: str, verdict: Verdict | None) -> None:
        self.name, self.verdict = name, verdict
        self.saw: tuple[Finding, ...] | None = None

    async def decide(self, event, view):
        self.saw = view.findings
        return self.verdict


class Broken:
    name = "broken"

    async def decide(self, event, view):
        raise RuntimeError("detector exploded")


class Slow:
    name = "slow"

    async def decide(self, event, view):
        await anyio.sleep(5)
        return Verdict.allow()


def call() -> ToolCall:
    return ToolCall(SessionInfo("s"), "srv", "echo", {"text": "hi"}, 1, {"name": "echo"})


def v(decision: Decision, rule: str = "r") -> Verdict:
    return Verdict(decision, (Finding(rule, "m"),))


def test_most_severe_decision_wins_whatever_the_order():
    verdicts = [v(Decision.ALLOW), v(Decision.DENY, "d"), v(Decision.REDACT, "x")]
    assert combine(verdicts).decision is Decision.DENY
    assert combine(list(reversed(verdicts))).decision is Decision.DENY
    assert {f.rule_id for f in combine(verdicts).findings} == {"r", "d", "x"}
    assert combine([v(Decision.REDACT), v(Decision.ALLOW)]).decision is Decision.REDACT


def test_no_verdicts_means_allow():
    assert combine([]) == Verdict.allow()


async def test_no_stages_and_no_opinions_mean_allow():
    assert (await Pipeline([]).decide(call(), View())).decision is Decision.ALLOW
    assert (await Pipeline([Fixed("quiet", None)]).decide(call(), View())).decision is Decision.ALLOW


async def test_later_stages_see_the_findings_of_earlier_ones_and_the_event_is_untouched():
    first, second, third = (
        Fixed("a", v(Decision.REDACT, "a")),
        Fixed("b", None),
        Fixed("c", v(Decision.ALLOW, "c")),
    )
    event = call()
    before = dataclasses.replace(event)
    earlier = Finding("before", "from the caller")
    verdict = await Pipeline([first, second, third]).decide(event, View((earlier,)))
    assert first.saw == (earlier,)
    assert second.saw is not None and [f.rule_id for f in second.saw] == ["before", "a"]
    assert third.saw is not None and [f.rule_id for f in third.saw] == ["before", "a"]
    assert verdict.decision is Decision.REDACT and verdict.rule_ids == ["a", "c"]
    assert event == before


async def test_stage_that_raises_ends_in_deny_with_a_finding_naming_it():
    after = Fixed("after", None)
    verdict = await Pipeline([Fixed("ok", None), Broken(), after]).decide(call(), View())
    assert verdict.decision is Decision.DENY
    (finding,) = verdict.findings
    assert finding.rule_id == "firewall.stage_error" and finding.stage == "broken"
    assert "broken" in finding.message and "detector exploded" in finding.message
    assert after.saw == (finding,)  # the stages after it still run, and see the error


async def test_fail_open_is_explicit_and_allows_past_a_broken_stage(caplog):
    verdict = await Pipeline([Broken(), Fixed("other", v(Decision.REDACT))], fail_open=True).decide(
        call(), View()
    )
    assert verdict.decision is Decision.REDACT
    assert "FAIL-OPEN" in caplog.text and "fail-open: allowing" in caplog.text
    assert (await Pipeline([Broken()], fail_open=True).decide(call(), View())).decision is Decision.ALLOW


async def test_a_timed_stage_passes_its_verdict_through_and_fails_closed_past_its_time():
    inner = Fixed("inner", v(Decision.REDACT, "inner"))
    timed = TimedStage(inner, 5)
    assert timed.name == "inner" and isinstance(timed, Stage)
    assert (await timed.decide(call(), View((Finding("x", "y"),)))).rule_ids == ["inner"]
    assert inner.saw == (Finding("x", "y"),)
    verdict = await Pipeline([TimedStage(Slow(), 0.01)]).decide(call(), View())
    assert verdict.decision is Decision.DENY
    assert verdict.findings[0].stage == "slow" and "TimeoutError" in verdict.findings[0].message


async def test_an_ask_leaves_the_pipeline_as_an_ask_and_a_deny_still_outranks_it():
    # The session puts an ASK to a person (firewall.guard.session); the pipeline only combines.
    verdict = await Pipeline([Fixed("asker", v(Decision.ASK, "needs.human"))]).decide(call(), View())
    assert verdict.decision is Decision.ASK and verdict.rule_ids == ["needs.human"]
    both = [Fixed("asker", v(Decision.ASK, "needs.human")), Fixed("no", v(Decision.DENY, "never"))]
    assert (await Pipeline(both).decide(call(), View())).decision is Decision.DENY

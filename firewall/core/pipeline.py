"""Runs the stages over an event and combines their verdicts; sans-I/O.

Every stage sees every event, with a read-only SessionView carrying the findings of the stages
before it (the only thing stage order changes: nothing mutates the event); the most severe
decision wins (DENY > ASK > REDACT > ALLOW, Decision.worst), so the outcome does not depend on
stage order. A stage that raises turns into DENY with a finding that names it (fail closed);
`fail_open` downgrades that to a logged ALLOW.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import anyio

from firewall.core.events import Decision, Event, Finding, Verdict
from firewall.core.view import SessionView

log = logging.getLogger(__name__)


@runtime_checkable
class Stage(Protocol):
    """A decision layer. `name` appears in findings; `decide` returns None for "no opinion"."""

    name: str

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """Decide the (traced, frozen) event, reading the session through `view`."""
        ...


class TimedStage:
    """A stage that must decide within `seconds`; past that it raises, and so ends in DENY."""

    def __init__(self, stage: Stage, seconds: float) -> None:
        self.stage = stage
        self.seconds = seconds
        self.name = stage.name

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """The wrapped stage's verdict; TimeoutError past `seconds`."""
        with anyio.fail_after(self.seconds):
            return await self.stage.decide(event, view)


def combine(verdicts: Sequence[Verdict]) -> Verdict:
    """Most severe decision wins; findings from every stage are kept."""
    if not verdicts:
        return Verdict.allow()
    decision = Decision.worst(*(v.decision for v in verdicts))
    findings = tuple(f for v in verdicts for f in v.findings)
    return Verdict(decision, findings)


class Pipeline:
    """The stages, in order, and what happens when one of them raises."""

    def __init__(self, stages: Sequence[Stage], *, fail_open: bool = False) -> None:
        self.stages = tuple(stages)
        self.fail_open = fail_open
        if fail_open:
            log.warning("FAIL-OPEN is enabled: a stage that raises will ALLOW the message it was deciding")

    async def decide(self, event: Event, view: SessionView) -> Verdict:
        """Every stage's verdict on the event, combined. An ASK is returned as it is: the session
        puts it to a person (FirewallSession.check_call) or denies it."""
        verdicts: list[Verdict] = []
        findings = view.findings
        for stage in self.stages:
            try:
                verdict = await stage.decide(event, view.with_findings(findings))
            except Exception as exc:  # a broken stage must never be a silent ALLOW
                log.exception("stage %s raised on %s", stage.name, event.kind)
                if self.fail_open:
                    log.error("fail-open: allowing %s despite the error in stage %s", event.kind, stage.name)
                    continue
                finding = Finding(
                    "firewall.stage_error",
                    f"stage {stage.name} failed: {type(exc).__name__}: {exc}",
                    stage=stage.name,
                    severity="high",
                )
                verdict = Verdict(Decision.DENY, (finding,))
            if verdict is not None:
                verdicts.append(verdict)
                findings = (*findings, *verdict.findings)
        return combine(verdicts)

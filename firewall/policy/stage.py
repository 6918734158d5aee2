"""The policy stage: build the input document, ask the engine for the composed findings, and
combine them into a Verdict (most severe level wins, as for the stages themselves).

Fail closed: an engine error, an undefined answer or a malformed one is DENY with a finding.
"""

from __future__ import annotations

from typing import Any

from firewall.core.events import Decision, Event, Finding, Span, Verdict
from firewall.core.pipeline import combine
from firewall.core.view import SessionView
from firewall.policy.build import build_input, phase_of
from firewall.policy.engine import PolicyEngine, PolicyError
from firewall.provenance.labeler import Labeler


class PolicyStage:
    """Asks the policy engine about every event of the phases its packs judge."""

    name = "policy"

    def __init__(self, engine: PolicyEngine, labeler: Labeler, phases: frozenset[str] | None = None) -> None:
        self.engine = engine
        self.labeler = labeler
        self.phases = phases
        """Phases the selected packs judge (from their `phases` rules); None means all."""

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """The engine's findings on the event's input document (built from the view), as one verdict."""
        if self.phases is not None and phase_of(event) not in self.phases:
            return None
        document = build_input(event, view, self.labeler)
        try:
            answer = await self.engine.evaluate(document)
        except PolicyError as exc:
            return Verdict.deny("policy.error", str(exc), stage=self.name, severity="high")
        return self.verdict(answer)

    def verdict(self, answer: Any) -> Verdict | None:
        """The composed findings, each {rule_id, reason, level, pack, span?}, as one Verdict."""
        if answer is None:
            return Verdict.deny("policy.undefined", "the policy's findings are undefined", stage=self.name)
        if not isinstance(answer, list):
            return Verdict.deny("policy.malformed", f"the policy answered {answer!r}", stage=self.name)
        verdicts = []
        for item in answer:
            level = _level(item)
            if level is None:
                return Verdict.deny(
                    "policy.malformed", f"the policy answered a finding {item!r}", stage=self.name
                )
            span = item.get("span")
            finding = Finding(
                str(item.get("rule_id", "policy.unnamed")),
                str(item.get("reason", "")),
                stage=self.name,
                span=Span(tuple(span["path"]), span["start"], span["end"])
                if isinstance(span, dict)
                else None,
            )
            verdicts.append(Verdict(level, (finding,)))
        return combine(verdicts) if verdicts else None


def _level(item: Any) -> Decision | None:
    """A finding's level as a decision; None when the finding is not an object or names none."""
    if not isinstance(item, dict):
        return None
    try:
        return Decision.parse(str(item.get("level")))
    except ValueError:
        return None

"""The policy stage: build the input document, ask the engine for the composed findings, and
combine them into a Verdict (most severe level wins, as for the stages themselves).

Fail closed: an engine error, an undefined answer or a malformed one is DENY with a finding.
"""

from __future__ import annotations

from typing import Any

from firewall.core.events import Decision, Event, Finding, Span, Verdict
from firewall.core.pipeline import combine
from firewall.guard.state import graph_of, memory_of
from firewall.policy.build import build_input, phase_of
from firewall.policy.engine import PolicyEngine, PolicyError
from firewall.provenance.labeler import Labeler

_DECISIONS = {"allow": Decision.ALLOW, "redact": Decision.REDACT, "ask": Decision.ASK, "deny": Decision.DENY}


class PolicyStage:
    name = "policy"

    def __init__(self, engine: PolicyEngine, labeler: Labeler, phases: frozenset[str] | None = None) -> None:
        self.engine = engine
        self.labeler = labeler
        self.phases = phases
        """Phases the selected packs judge (from their `phases` rules); None means all."""

    async def decide(self, event: Event) -> Verdict | None:
        if self.phases is not None and phase_of(event) not in self.phases:
            return None
        session = event.session
        document = build_input(event, graph_of(session), memory_of(session), self.labeler, event.findings)
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
            level = _DECISIONS.get(str(item.get("level"))) if isinstance(item, dict) else None
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

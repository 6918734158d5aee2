"""The policy stage: build the input document, ask the engine, turn its answer into a Verdict.

Fail closed: an engine error, an undefined result or a malformed answer is DENY with a finding.
"""

from __future__ import annotations

from typing import Any

from firewall.events import Decision, Event, Finding, Span, Verdict
from firewall.memory import graph_of, memory_of
from firewall.policy.build import build_input
from firewall.policy.engine import PolicyEngine, PolicyError
from firewall.provenance.labeler import Labeler

_DECISIONS = {"allow": Decision.ALLOW, "redact": Decision.REDACT, "ask": Decision.ASK, "deny": Decision.DENY}


class PolicyStage:
    name = "policy"

    def __init__(self, engine: PolicyEngine, labeler: Labeler) -> None:
        self.engine = engine
        self.labeler = labeler

    async def decide(self, event: Event) -> Verdict | None:
        session = event.session
        document = build_input(event, graph_of(session), memory_of(session), self.labeler, event.findings)
        try:
            answer = await self.engine.evaluate(document)
        except PolicyError as exc:
            return Verdict.deny("policy.error", str(exc), stage=self.name, severity="high")
        return self.verdict(answer)

    def verdict(self, answer: Any) -> Verdict | None:
        if answer is None:
            return Verdict.deny("policy.undefined", "the policy's decision is undefined", stage=self.name)
        decision = _DECISIONS.get(str(answer.get("decision"))) if isinstance(answer, dict) else None
        if decision is None:
            return Verdict.deny("policy.malformed", f"the policy answered {answer!r}", stage=self.name)
        if decision is Decision.ALLOW:
            return None
        findings = []
        for item in answer.get("findings") or []:
            if not isinstance(item, dict) or _DECISIONS.get(str(item.get("level"))) is not decision:
                continue
            span = item.get("span")
            findings.append(
                Finding(
                    str(item.get("rule_id", "policy.unnamed")),
                    str(item.get("reason", "")),
                    stage=self.name,
                    span=Span(tuple(span["path"]), span["start"], span["end"])
                    if isinstance(span, dict)
                    else None,
                )
            )
        if not findings:
            findings.append(
                Finding("policy.unnamed", f"the policy decided {answer['decision']}", stage=self.name)
            )
        return Verdict(decision, tuple(findings))

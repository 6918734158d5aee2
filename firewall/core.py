"""The firewall as the relays and adapters see it: decide an event, and log the decision."""

from __future__ import annotations

from firewall.audit import AuditLog
from firewall.events import Event, Verdict
from firewall.pipeline import Pipeline


class Firewall:
    def __init__(self, pipeline: Pipeline, audit: AuditLog) -> None:
        self.pipeline = pipeline
        self.audit = audit

    async def decide(self, event: Event, method: str) -> Verdict:
        verdict = await self.pipeline.decide(event)
        self.audit.decision(event, verdict, method=method)
        return verdict

    def record(self, event: Event, verdict: Verdict, *, method: str) -> None:
        """Log a decision taken outside the pipeline (a call the router could not route)."""
        self.audit.decision(event, verdict, method=method)

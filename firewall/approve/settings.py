"""How a firewall process asks: the answer timeout, whether clients' elicitation is used, and the
sealer of its 2026-07-28 round-trip state (built from [approval] by firewall.app)."""

from __future__ import annotations

from dataclasses import dataclass, field

from firewall.approve.request_state import StateSealer


@dataclass(frozen=True)
class ApprovalSettings:
    """The process-wide approval settings the relay reads."""

    timeout: float = 120.0
    """Seconds a person has to answer before the call is denied."""
    elicitation: bool = True
    """Ask through the agent's client when it declared the elicitation capability (form mode)."""
    sealer: StateSealer = field(default_factory=StateSealer)

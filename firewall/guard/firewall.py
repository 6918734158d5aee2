"""The Firewall: what every session shares (the pipeline, the audit log, the labeler, the graph's
bounds), built once by `firewall.app.build_firewall`. Sessions are opened from it
(`open_session`, or from a snapshot with `restore_session`) and decide through their
FirewallSession (firewall.guard.session), which owns the session's SessionState.
"""

from __future__ import annotations

import uuid

from firewall.approve.approvers import Approver
from firewall.approve.settings import ApprovalSettings
from firewall.audit import AuditLog
from firewall.core.events import SessionInfo
from firewall.core.pipeline import Pipeline
from firewall.guard.pin_store import PinBinding
from firewall.guard.session import FirewallSession
from firewall.guard.state import SessionState, ToolPins
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler


class Firewall:
    """The shared half of the firewall: one per process (or adapter runtime), many sessions."""

    def __init__(
        self,
        pipeline: Pipeline,
        audit: AuditLog,
        labeler: Labeler,
        *,
        max_nodes: int = 10_000,
        max_bytes: int = 16 * 1024 * 1024,
        approver: Approver | None = None,
        approval: ApprovalSettings | None = None,
        pins: PinBinding | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.audit = audit
        self.labeler = labeler
        self.max_nodes = max_nodes
        """Bounds of each session's provenance graph (provenance.max_nodes, max_bytes)."""
        self.max_bytes = max_bytes
        self.approver = approver
        """Who answers an ASK when the session's transport cannot ask the person (the approval
        page's broker, an adapter's callable); None: such an ASK is denied, saying why."""
        self.approval = approval or ApprovalSettings()
        """How the transports ask: timeout, client elicitation, the round-trip state's sealer."""
        self.pins = pins
        """The pin store and the known servers' identities ([pins]); None: pins last one session."""

    def open_session(self, info: SessionInfo | None = None, *, principal: str = "local") -> FirewallSession:
        """A new session with an empty state: `info`, or a fresh id for `principal`."""
        info = info or SessionInfo(id=uuid.uuid4().hex, principal=principal)
        graph = SessionGraph(self.labeler, self.max_nodes, self.max_bytes)
        return FirewallSession(self, SessionState(info, graph, pins=ToolPins(store=self.pins)))

    def restore_session(self, snapshot: bytes) -> FirewallSession:
        """The session a `SessionState.snapshot` holds, deciding through this firewall; raises
        SnapshotError for bytes that are not a snapshot this firewall reads."""
        state = SessionState.restore(
            snapshot, self.labeler, max_nodes=self.max_nodes, max_bytes=self.max_bytes
        )
        state.pins.store = self.pins
        return FirewallSession(self, state)

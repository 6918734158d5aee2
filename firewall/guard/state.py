"""What the firewall remembers about a session besides its provenance graph: recent calls and their
decisions, counts, and tool-definition pins (a definition that changes mid-session is a rug pull)."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from firewall.core.events import SessionInfo
    from firewall.provenance.graph import SessionGraph

PinState = Literal["unseen", "pinned", "changed"]
HISTORY = 20


@dataclass(frozen=True)
class CallRecord:
    server: str
    tool: str
    decision: str
    taint: str


@dataclass
class SessionMemory:
    history: deque[CallRecord] = field(default_factory=lambda: deque(maxlen=HISTORY))
    calls: int = 0
    denied: int = 0
    outputs: int = 0
    pins: dict[tuple[str, str], str] = field(default_factory=dict)
    changed: set[tuple[str, str]] = field(default_factory=set)
    annotations: dict[tuple[str, str], Any] = field(default_factory=dict)
    """The annotations each pinned tool was first listed with."""

    def pin(self, server: str, tool: dict[str, Any]) -> PinState:
        """Pin a tool definition on first sight; report whether it still matches."""
        key = (server, str(tool.get("name")))
        digest = hashlib.sha256(json.dumps(tool, sort_keys=True, default=str).encode()).hexdigest()
        first = self.pins.setdefault(key, digest)
        self.annotations.setdefault(key, tool.get("annotations"))
        if first != digest:
            self.changed.add(key)
        return "changed" if key in self.changed else "pinned"

    def pin_state(self, server: str, tool: str) -> PinState:
        key = (server, tool)
        if key in self.changed:
            return "changed"
        return "pinned" if key in self.pins else "unseen"

    def server_pin(self, server: str) -> PinState:
        if any(s == server for s, _ in self.changed):
            return "changed"
        return "pinned" if any(s == server for s, _ in self.pins) else "unseen"


def graph_of(session: SessionInfo) -> SessionGraph:
    """The session's provenance graph (the firewall creates it before any stage runs)."""
    graph: SessionGraph = session.state["provenance"]
    return graph


def memory_of(session: SessionInfo) -> SessionMemory:
    memory: SessionMemory = session.state.setdefault("memory", SessionMemory())
    return memory

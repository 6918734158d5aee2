"""What a stage may read about the session an event belongs to: `SessionView`, a read-only view.

The guard's SessionState (firewall.guard.state) implements it; the pipeline hands each stage a view
carrying the findings of the stages that ran before it. Everything a view returns is immutable (a
label, a frozen record, a tuple, a copy), so a stage can read the session and cannot change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from firewall.core.events import Finding, SessionInfo
from firewall.core.labels import Label

PinState = Literal["unseen", "pinned", "added", "updated", "changed"]
"""A tool definition's pin: never listed, listed as first seen, or changed since it was first seen."""


@dataclass(frozen=True)
class CallRecord:
    """One recent call of the session and how it was decided."""

    server: str
    tool: str
    decision: str
    """The decision's lower-case name."""
    taint: str
    """The call's taint trust, lower-case ("trusted" when it had no provenance)."""


@dataclass(frozen=True)
class Counts:
    """How many calls (and of them denied) and outputs the session has decided."""

    calls: int = 0
    denied: int = 0
    outputs: int = 0


class SessionView(Protocol):
    """A read-only view of one session, for the stages (and the policy input document)."""

    @property
    def info(self) -> SessionInfo:
        """The session's identity: id and principal."""
        ...

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings of the stages that ran before the current one on this event."""
        ...

    @property
    def context(self) -> Label:
        """The join over every output the session has taken in as context."""
        ...

    @property
    def counts(self) -> Counts:
        """The session's counts of decided calls and outputs."""
        ...

    @property
    def history(self) -> tuple[CallRecord, ...]:
        """The session's recent calls, oldest first."""
        ...

    def pin_state(self, server: str, tool: str) -> PinState:
        """Whether this tool's definition is unseen, pinned as first seen, or changed."""
        ...

    def server_pin(self, server: str) -> PinState:
        """`changed` if any of the server's tools changed, `pinned` if any is pinned, else `unseen`."""
        ...

    def pinned_tools(self, server: str) -> tuple[str, ...]:
        """The names of the server's pinned tools, in the order they were first seen."""
        ...

    def first_annotations(self) -> Mapping[tuple[str, str], Any]:
        """(server, tool) -> a copy of the annotations each pinned tool was first listed with."""
        ...

    def with_findings(self, findings: tuple[Finding, ...]) -> SessionView:
        """The same view carrying these findings (the pipeline's, for the next stage)."""
        ...

"""SessionState: the one typed owner of everything the firewall knows about one agent session.

It holds the session's identity, its provenance graph (with the value index), its memory (counts
and recent calls), the tool-definition pins (a definition that changes mid-session is a rug pull)
and the session's tool catalog (the one catalog: the relay, the links and the in-process API all
read and write this one). Stages never see it directly: they get a read-only `SessionView`
(`SessionState.view`).

A state can be snapshotted to bytes and restored (versioned JSON, never pickle: a shared store
must not be able to make the firewall run code), so a gateway can keep sessions in a store.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from firewall.approve.grants import SessionGrants
from firewall.core.errors import SnapshotError
from firewall.core.events import Decision, Event, Finding, SessionInfo, ToolCall, Verdict, tool_catalog
from firewall.core.labels import Label
from firewall.core.payloads import fingerprint
from firewall.core.view import CallRecord, Counts, PinState
from firewall.guard.pin_store import PinBinding
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler

HISTORY = 20
"""How many recent calls a session remembers (the policy input's `history`)."""

SNAPSHOT_VERSION = 1
"""The version `snapshot` writes and `restore` reads; any other version is refused."""

ToolKey = tuple[str, str]
"""(server, tool name)."""


@dataclass
class SessionMemory:
    """What the session decided so far: counts, and its most recent calls."""

    history: deque[CallRecord] = field(default_factory=lambda: deque(maxlen=HISTORY))
    calls: int = 0
    denied: int = 0
    outputs: int = 0

    def remember(self, event: Event, verdict: Verdict) -> None:
        """Count a decided event; a call also enters the history with its decision and taint."""
        if isinstance(event, ToolCall):
            self.calls += 1
            self.denied += verdict.decision is Decision.DENY
            taint = event.provenance.taint.trust.name.lower() if event.provenance else "trusted"
            self.history.append(CallRecord(event.server, event.tool, verdict.decision.name.lower(), taint))
        else:
            self.outputs += 1

    @property
    def counts(self) -> Counts:
        """The counts as an immutable record."""
        return Counts(self.calls, self.denied, self.outputs)


@dataclass
class ToolPins:
    """Each tool definition's digest as first seen, the annotations it was first listed with, and
    the tools whose definition has changed since, or that were added after the server's first list.

    A tool first seen after the session's first complete list of its server is "added" for the rest
    of the session. With a pin store (`store`, firewall.guard.pin_store) a tool seen for the first
    time in the session is also compared with the pins of earlier sessions: a different definition
    is "changed", a tool the server did not have is "added" (docs/pins.md)."""

    digests: dict[ToolKey, str] = field(default_factory=dict)
    annotations: dict[ToolKey, Any] = field(default_factory=dict)
    changed: set[ToolKey] = field(default_factory=set)
    updated: set[ToolKey] = field(default_factory=set)
    """Tools whose definition differs from the stored pins of an earlier session (an upgrade, or a
    rug pull between sessions): asked about, where a change within the session is denied."""
    added: set[ToolKey] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    """Servers whose first complete tool list this session has seen."""
    store: PinBinding | None = None
    created: set[str] = field(default_factory=set)
    """Servers whose stored entry this session created (trust on first use): the later pages of
    their first list are pinned, not added."""

    def pin(self, server: str, tool: dict[str, Any]) -> PinState:
        """Pin a tool definition on first sight; report whether it still matches."""
        name = str(tool.get("name"))
        self._pin(server, [(name, tool)])
        return self.state(server, name)

    def pin_all(self, server: str, tools: Any, *, complete: bool = True) -> None:
        """Pin every listed entry that names a tool (anything else a server lists is skipped).
        `complete`: this page ends a list (it has no nextCursor), so the server has been listed; an
        empty list does not count (a gateway lists a server before it has any tools to offer: its
        first tools are not additions)."""
        named = [
            (str(tool["name"]), tool)
            for tool in (tools if isinstance(tools, list) else [])
            if isinstance(tool, dict) and "name" in tool
        ]
        self._pin(server, named)
        if complete and named:
            self.listed.add(server)

    def _pin(self, server: str, tools: list[tuple[str, dict[str, Any]]]) -> None:
        later = server in self.listed  # first seen after the server's first list: added
        new: dict[str, str] = {}
        for name, tool in tools:
            key = (server, name)
            digest = fingerprint(tool)
            first = self.digests.setdefault(key, digest)
            if key not in self.annotations:
                self.annotations[key] = tool.get("annotations")
                new[name] = digest
                if later:
                    self.added.add(key)
            if first != digest:
                self.changed.add(key)
        if not new or self.store is None:
            return
        seen = self.store.observe(server, new, first_list=not later, trusted=server in self.created)
        if seen is None:
            return
        if seen.created:
            self.created.add(server)
        for name, state in seen.states.items():
            if state == "changed":
                self.updated.add((server, name))
            elif state == "added":
                self.added.add((server, name))

    def state(self, server: str, tool: str) -> PinState:
        """unseen, pinned (as first seen), added (after the server's first list, or since the
        stored pins) or changed (this session, or since the stored pins)."""
        key = (server, tool)
        if key in self.changed:
            return "changed"
        if key in self.updated:
            return "updated"
        if key in self.added:
            return "added"
        return "pinned" if key in self.digests else "unseen"

    def server_state(self, server: str) -> PinState:
        """The worst state of the server's tools: changed, added, pinned, else unseen."""
        if any(s == server for s, _ in self.changed):
            return "changed"
        if any(s == server for s, _ in self.updated):
            return "updated"
        if any(s == server for s, _ in self.added):
            return "added"
        return "pinned" if any(s == server for s, _ in self.digests) else "unseen"

    def tools_of(self, server: str) -> tuple[str, ...]:
        """The server's pinned tool names, in the order they were first seen."""
        return tuple(tool for s, tool in self.digests if s == server)


@dataclass
class ToolCatalog:
    """server -> tool name -> the tool's definition (its tools/list entry). A server that has no
    entry yet has not been listed to this session (the relay then fetches its list)."""

    servers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def of(self, server: str) -> dict[str, dict[str, Any]] | None:
        """The server's tools by name, or None when no list of the server was seen."""
        return self.servers.get(server)

    def get(self, server: str, tool: str) -> dict[str, Any] | None:
        """One tool's definition, or None when the session does not know it."""
        return self.servers.get(server, {}).get(tool)

    def knows(self, server: str, tool: str) -> bool:
        """Whether the session knows this tool from a list."""
        return tool in self.servers.get(server, {})

    def replace(self, server: str, tools: Any) -> dict[str, dict[str, Any]]:
        """A server's list (or its first page) replaces what was known of it."""
        self.servers[server] = tool_catalog(tools)
        return self.servers[server]

    def extend(self, server: str, tools: Any) -> None:
        """A later page of a server's list adds to what is known of it."""
        self.servers.setdefault(server, {}).update(tool_catalog(tools))

    def forget(self, server: str) -> None:
        """The server's list changed: what was known of it is stale."""
        self.servers.pop(server, None)


@dataclass
class SessionState:
    """One agent session: its identity, provenance graph, memory, pins and tool catalog.

    Not thread-safe: one FirewallSession (on one event loop) owns it.
    """

    info: SessionInfo
    graph: SessionGraph
    memory: SessionMemory = field(default_factory=SessionMemory)
    pins: ToolPins = field(default_factory=ToolPins)
    catalog: ToolCatalog = field(default_factory=ToolCatalog)
    grants: SessionGrants = field(default_factory=SessionGrants)
    """"Approve for this session" answers (firewall.approve.grants). Questions still waiting for an
    answer are not session state: they live with the transport that asked (and die with it)."""

    def view(self, findings: tuple[Finding, ...] = ()) -> StateView:
        """A read-only view of this state for the stages, carrying `findings`."""
        return StateView(self, findings)

    def snapshot(self) -> bytes:
        """The whole state as versioned JSON bytes (see `restore`)."""
        memory = self.memory
        document = {
            "version": SNAPSHOT_VERSION,
            "info": {"id": self.info.id, "principal": self.info.principal},
            "graph": self.graph.dump(),
            "memory": {
                "calls": memory.calls,
                "denied": memory.denied,
                "outputs": memory.outputs,
                "history": [[h.server, h.tool, h.decision, h.taint] for h in memory.history],
            },
            "pins": [
                [
                    server,
                    tool,
                    digest,
                    self.pins.annotations.get((server, tool)),
                    (server, tool) in self.pins.changed,
                    (server, tool) in self.pins.added,
                    # Per server, repeated on each of its rows: listed this session, stored entry
                    # created by this session (a server listed with no tools is not kept).
                    server in self.pins.listed,
                    server in self.pins.created,
                    (server, tool) in self.pins.updated,
                ]
                for (server, tool), digest in self.pins.digests.items()
            ],
            "catalog": self.catalog.servers,
            "grants": self.grants.dump(),
        }
        return json.dumps(document, separators=(",", ":"), default=str).encode()

    @classmethod
    def restore(cls, data: bytes, labeler: Labeler, *, max_nodes: int, max_bytes: int) -> SessionState:
        """The state a `snapshot` wrote; SnapshotError for bytes that are not one, or for a version
        this firewall does not read. The labeler and bounds are this firewall's (the graph's labels
        are stored, its tool classes are computed again)."""
        try:
            document = json.loads(data)
        except (ValueError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
            raise SnapshotError(f"the session snapshot is not JSON: {exc}") from None
        if not isinstance(document, dict):
            raise SnapshotError("the session snapshot is not a JSON object")
        version = document.get("version")
        if version != SNAPSHOT_VERSION:
            raise SnapshotError(
                f"unknown session snapshot version {version!r} (this firewall reads {SNAPSHOT_VERSION})"
            )
        try:
            info = document["info"]
            memory = document["memory"]
            pins = ToolPins()
            for server, tool, digest, annotations, changed, *flags in document["pins"]:
                # Rows of snapshots from before "added" have five fields: the flags default to off.
                added, listed, created, updated = (list(flags) + [False] * 4)[:4]
                key = (str(server), str(tool))
                pins.digests[key] = str(digest)
                pins.annotations[key] = annotations
                for flag, into in ((changed, pins.changed), (added, pins.added), (updated, pins.updated)):
                    if flag:
                        into.add(key)
                for flag, servers in ((listed, pins.listed), (created, pins.created)):
                    if flag:
                        servers.add(key[0])
            catalog = document["catalog"]
            if not isinstance(catalog, dict) or not all(isinstance(t, dict) for t in catalog.values()):
                raise TypeError("the catalog is not server -> tool name -> definition")
            return cls(
                SessionInfo(str(info["id"]), str(info["principal"])),
                SessionGraph.load(document["graph"], labeler, max_nodes, max_bytes),
                SessionMemory(
                    deque((CallRecord(*map(str, h)) for h in memory["history"]), maxlen=HISTORY),
                    int(memory["calls"]),
                    int(memory["denied"]),
                    int(memory["outputs"]),
                ),
                pins,
                ToolCatalog(catalog),
                SessionGrants.load(document.get("grants", [])),
            )
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotError(f"the session snapshot is corrupt: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class StateView:
    """The SessionView (firewall.core.view) of a SessionState: reads only, and returns only
    immutable values (records, tuples, copies), so a stage cannot change the session through it."""

    _state: SessionState
    findings: tuple[Finding, ...] = ()

    @property
    def info(self) -> SessionInfo:
        """The session's identity."""
        return self._state.info

    @property
    def context(self) -> Label:
        """The join over every output the session has taken in as context."""
        return self._state.graph.context

    @property
    def counts(self) -> Counts:
        """Counts of decided calls (denied ones too) and outputs."""
        return self._state.memory.counts

    @property
    def history(self) -> tuple[CallRecord, ...]:
        """The recent calls, oldest first."""
        return tuple(self._state.memory.history)

    def pin_state(self, server: str, tool: str) -> PinState:
        """Whether this tool's definition is unseen, pinned, added or changed (ToolPins.state)."""
        return self._state.pins.state(server, tool)

    def server_pin(self, server: str) -> PinState:
        """The worst pin state of the server's tools."""
        return self._state.pins.server_state(server)

    def pinned_tools(self, server: str) -> tuple[str, ...]:
        """The server's pinned tool names, first seen first."""
        return self._state.pins.tools_of(server)

    def first_annotations(self) -> Mapping[ToolKey, Any]:
        """(server, tool) -> a copy of the annotations the tool was first listed with."""
        return MappingProxyType(copy.deepcopy(self._state.pins.annotations))

    def with_findings(self, findings: tuple[Finding, ...]) -> StateView:
        """This view, carrying other findings."""
        return StateView(self._state, findings)

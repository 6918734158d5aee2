"""One session's provenance graph (networkx): outputs and calls as nodes, and the edges between them.

Edges: `produced` (a call to its result), `derived_from` (an earlier output to a later call whose
arguments contain one of its values; the matches, with JSON path, kind and span, are on the edge),
and `context` (every output feeds the session context node; every later call is made in that
context, an edge left implicit, and its CallProvenance carries the context label).

Memory is bounded (max_nodes, max_bytes). The oldest nodes are forgotten first; a forgotten
output's label is folded into `residue`, and any argument value that could have matched indexed
content but matches nothing live is attributed to that residue. So forgetting never makes a call,
or the session, look cleaner than it was.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from firewall.core.labels import BOTTOM, Label, join_all, meet_all
from firewall.core.records import ArgumentSource, CallProvenance, OutputProvenance
from firewall.provenance.labeler import Labeler
from firewall.provenance.match import JsonPath, ValueIndex
from firewall.provenance.normalize import normalize
from firewall.provenance.snapshot import (
    array_of,
    attributes_from_json,
    attributes_to_json,
    integer,
    label_from_json,
    label_to_json,
    text,
)

CONTEXT = 0
"""The session-context node: every output flows into it; every call is made in it."""


MESSAGE_KINDS = frozenset({"user", "system"})
"""Nodes added with Firewall.add_message: what the principal said, not what a tool returned."""


SNAPSHOT_VERSION = 1
"""The version of `SessionGraph.dump()`'s format; `load` refuses any other."""

_SNAPSHOT_KEYS = frozenset(
    {"nodes", "edges", "index", "context", "residue", "indexed_bytes", "next_id", "order", "said"}
)


@dataclass
class SessionGraph:
    """One session's provenance: the graph of outputs and calls, the value index their contents
    are matched through, and the labels (context, residue) that summarise what was seen and what
    was forgotten."""

    labeler: Labeler
    max_nodes: int = 10_000
    max_bytes: int = 16 * 1024 * 1024
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    index: ValueIndex = field(default_factory=ValueIndex)
    context: Label = BOTTOM
    residue: Label = BOTTOM
    indexed_bytes: int = 0
    next_id: int = 1
    """The id the next node gets (ids ascend and are never reused)."""
    _order: OrderedDict[int, int] = field(default_factory=OrderedDict)
    """Every node, oldest first -> the bytes of content it has indexed."""
    said: list[str] = field(default_factory=list)
    """The normalised user and system messages (few and short; never evicted)."""

    def __post_init__(self) -> None:
        if CONTEXT not in self.graph:
            self.graph.add_node(CONTEXT, kind="context")

    def add_output(
        self,
        kind: str,
        server: str,
        name: str,
        texts: Iterable[str],
        label: Label,
        produced_by: int | None = None,
        *,
        in_context: bool = True,
    ) -> OutputProvenance:
        """`in_context=False`: content that values can derive from but that does not taint the
        session context (tool descriptions, vetted when listed and pinned)."""
        node = self._new_id()
        texts = list(texts)
        size = sum(len(t) for t in texts)
        self.graph.add_node(node, kind=kind, server=server, name=name, label=label, bytes=size)
        if produced_by is not None and produced_by in self.graph:
            self.graph.add_edge(produced_by, node, kind="produced")
        if in_context:
            self.graph.add_edge(node, CONTEXT, kind="context")
            self.context = self.context.join(label)
        if kind in MESSAGE_KINDS:
            self.said.extend(normalize(t) for t in texts)
        self.index.add(node, texts)
        self._order[node] = size
        self.indexed_bytes += size
        self._enforce_bounds()
        return OutputProvenance(node, kind, name, label, produced_by)

    def add_call(
        self,
        server: str,
        tool: str,
        arguments: Mapping[str, Any],
        annotations: Mapping[str, Any] | None = None,
    ) -> CallProvenance:
        matches, unmatched = self.index.match(arguments)
        node = self._new_id()
        # Every call is made in the session context; that edge is implicit (context -> each call)
        # rather than stored, which halves the per-call cost of the graph.
        self.graph.add_node(node, kind="tool_call", server=server, name=tool)
        sources: list[ArgumentSource] = []
        # A value the user (or system prompt) gave is theirs, even if an email repeats it, whatever
        # kind of match finds it there (the email's "From: x" line also matches as a field). Tool
        # outputs only ever join: were the cleanest output to decide, a trusted tool that echoes its
        # input ("no results for X") would launder an attacker's value.
        said: dict[Any, list[tuple[int, int, Label]]] = {}
        for match in matches:
            messages = [s for s in match.sources if self.graph.nodes[s]["kind"] in MESSAGE_KINDS]
            if messages:
                label = meet_all(self.graph.nodes[s]["label"] for s in messages)
                said.setdefault(match.path, []).append((match.start, match.end, label))
        for match in matches:
            covering = [lab for a, b, lab in said.get(match.path, ()) if a <= match.start and match.end <= b]
            label = (
                meet_all(covering)
                if covering
                else join_all(self.graph.nodes[s]["label"] for s in match.sources)
            )
            whole = match.start == 0 and match.end == _normalized_length(arguments, match.path)
            servers = tuple(
                sorted({str(self.graph.nodes[s].get("server") or "") for s in match.sources} - {""})
            )
            sources.append(
                ArgumentSource(
                    match.path, match.kind, match.start, match.end, match.sources, label, whole, servers
                )
            )
            for source in match.sources:
                if self.graph.has_edge(source, node):
                    self.graph.edges[source, node]["matches"].append(match)
                else:
                    self.graph.add_edge(source, node, kind="derived_from", matches=[match])
        if self.residue != BOTTOM:
            for path in dict.fromkeys(unmatched):
                sources.append(ArgumentSource(path, "forgotten", 0, 0, (), self.residue))
        self._order[node] = 0
        self._enforce_bounds()
        taint = join_all(s.label for s in sources)
        classes, origin = self.labeler.classes_with_origin(server, tool, annotations)
        return CallProvenance(
            node, taint, self.context, classes, tuple(sources), origin, self._user_given(arguments)
        )

    def _new_id(self) -> int:
        node = self.next_id
        self.next_id += 1
        return node

    def _user_given(self, arguments: Mapping[str, Any]) -> tuple[JsonPath, ...]:
        if not self.said:
            return ()
        return tuple(
            path
            for path, value in _leaves(arguments, ())
            if isinstance(value, str)
            and value.strip()
            and any(normalize(value) in said for said in self.said)
        )

    def _enforce_bounds(self) -> None:
        while len(self._order) > self.max_nodes or self.indexed_bytes > self.max_bytes:
            oldest, size = self._order.popitem(last=False)
            attrs = self.graph.nodes[oldest]
            if "label" in attrs:  # an output: keep its label in the residue, forget its content
                self.residue = self.residue.join(attrs["label"])
                self.index.forget(oldest)
            self.indexed_bytes -= size
            self.graph.remove_node(oldest)

    # -- snapshots ---------------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Everything the session's provenance holds, as JSON-serialisable data: nodes and edges with
        their attributes, the value index, context, residue, indexed bytes, the next node id, the
        eviction order and the user's messages. `load` rebuilds the same graph from it."""
        return {
            "version": SNAPSHOT_VERSION,
            "nodes": [[node, attributes_to_json(attrs)] for node, attrs in self.graph.nodes(data=True)],
            "edges": [[a, b, attributes_to_json(attrs)] for a, b, attrs in self.graph.edges(data=True)],
            "index": self.index.dump(),
            "context": label_to_json(self.context),
            "residue": label_to_json(self.residue),
            "indexed_bytes": self.indexed_bytes,
            "next_id": self.next_id,
            "order": [[node, size] for node, size in self._order.items()],
            "said": list(self.said),
        }

    @classmethod
    def load(cls, data: dict[str, Any], labeler: Labeler, max_nodes: int, max_bytes: int) -> SessionGraph:
        """The graph `dump()` described, with this process's labeler and bounds (a bound lower than
        the snapshot's content takes effect at the next event). Raises ValueError naming what is
        wrong when the data is not a snapshot of this version or does not hang together."""
        if not isinstance(data, dict):
            raise ValueError("provenance snapshot: expected an object")
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(
                f"provenance snapshot: version {data.get('version')!r}, expected {SNAPSHOT_VERSION}"
            )
        missing = _SNAPSHOT_KEYS - set(data)
        if missing:
            raise ValueError(f"provenance snapshot: missing {', '.join(sorted(missing))}")
        try:
            return cls._load(data, labeler, max_nodes, max_bytes)
        except ValueError as exc:
            raise ValueError(f"provenance snapshot: {exc}") from None

    @classmethod
    def _load(cls, data: dict[str, Any], labeler: Labeler, max_nodes: int, max_bytes: int) -> SessionGraph:
        graph = nx.DiGraph()
        for position, entry in enumerate(array_of(data["nodes"], "nodes")):
            if not isinstance(entry, list) or len(entry) != 2:
                raise ValueError(f"nodes[{position}]: expected [id, attributes]")
            node = integer(entry[0], f"nodes[{position}]")
            if node in graph:
                raise ValueError(f"nodes[{position}]: node {node} appears twice")
            graph.add_node(node, **attributes_from_json(entry[1], f"nodes[{position}]"))
        if graph.nodes.get(CONTEXT, {}).get("kind") != "context":
            raise ValueError("nodes: no context node 0")
        for position, entry in enumerate(array_of(data["edges"], "edges")):
            where = f"edges[{position}]"
            if not isinstance(entry, list) or len(entry) != 3:
                raise ValueError(f"{where}: expected [from, to, attributes]")
            a, b = integer(entry[0], where), integer(entry[1], where)
            if a not in graph or b not in graph:
                raise ValueError(f"{where}: an end is not a node")
            graph.add_edge(a, b, **attributes_from_json(entry[2], where))
        order: OrderedDict[int, int] = OrderedDict()
        for position, entry in enumerate(array_of(data["order"], "order")):
            where = f"order[{position}]"
            if not isinstance(entry, list) or len(entry) != 2:
                raise ValueError(f"{where}: expected [node, bytes]")
            node = integer(entry[0], where)
            if node not in graph or node in order:
                raise ValueError(f"{where}: node {node} is not a node, or is listed twice")
            order[node] = integer(entry[1], where)
        if set(order) != set(graph) - {CONTEXT}:
            raise ValueError("order: must list every node but the context node, once")
        index = ValueIndex.load(data["index"])
        if not set(index.nodes()) <= set(order):
            raise ValueError("index: holds content of a node that is not in order")
        indexed_bytes = integer(data["indexed_bytes"], "indexed_bytes")
        if indexed_bytes != sum(order.values()):
            raise ValueError("indexed_bytes: not the sum of the nodes' bytes in order")
        next_id = integer(data["next_id"], "next_id")
        if next_id <= max(graph):
            raise ValueError("next_id: not above every node id")
        said = [text(t, f"said[{i}]") for i, t in enumerate(array_of(data["said"], "said"))]
        session = cls(
            labeler,
            max_nodes,
            max_bytes,
            graph,
            index,
            label_from_json(data["context"], "context"),
            label_from_json(data["residue"], "residue"),
            indexed_bytes,
            next_id,
            order,
            said,
        )
        return session

    # -- queries for the policy layer ------------------------------------------------------------

    def sources_of(self, call: int) -> list[int]:
        return [s for s, _, kind in self.graph.in_edges(call, data="kind") if kind == "derived_from"]

    def label_of(self, node: int) -> Label:
        return self.graph.nodes[node].get("label", BOTTOM)


def _leaves(value: Any, path: JsonPath) -> list[tuple[JsonPath, Any]]:
    if isinstance(value, Mapping):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list | tuple):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(path, value)]


def _normalized_length(arguments: Any, path: JsonPath) -> int:
    value = arguments
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return -1
    return len(normalize(str(value)))

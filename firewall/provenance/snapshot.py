"""A session's provenance as JSON-serialisable data and back (`SessionGraph.dump()`/`load()`).

The format (version SNAPSHOT_VERSION): `nodes` oldest first as `[id, kind, server, label, bytes]`,
`index` (ValueIndex.dump: its secret and each output's key digests), `carried` (per carrying node,
groups `[label, servers, base64 digests]`), `context`, `residue`, `indexed_bytes`, `next_id`,
`said`, and, optional for older snapshots, `own` (the agent's own values) and `records` (the keys each
output holds as a record; without them every match reads as prose), `directed` (the calls the
user directed and their outputs), `asked` (the words of the instructions read in untrusted
content), `content_dates` (the dates those instructions gave), `content_links` (the hosts content the user did not point at told the agent to visit), `visited_hosts` (the hosts calls named), `delegated` (a user message handed the choice of actions to content) and `user_spoke`
(a user message reached the session). Loading checks that it hangs together and raises ValueError naming what is wrong.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from firewall.provenance.carry import Carried, CarryIndex
from firewall.provenance.codec import (
    array_of,
    digests_from_text,
    digests_to_text,
    integer,
    label_from_json,
    text,
)
from firewall.provenance.graph import MAX_CONTENT_LINKS, MAX_INSTRUCTIONS, Node
from firewall.provenance.labeler import Labeler
from firewall.provenance.match import ValueIndex

if TYPE_CHECKING:
    from firewall.provenance.graph import SessionGraph

SNAPSHOT_VERSION = 1
"""The version of the format; `load_graph` refuses any other."""

_MONTH_DAY = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}")
_KEYS = frozenset({"nodes", "index", "carried", "context", "residue", "indexed_bytes", "next_id", "said"})


def dump_graph(graph: SessionGraph) -> dict[str, Any]:
    """The graph's whole state as JSON-serialisable data."""
    return {
        "version": SNAPSHOT_VERSION,
        "nodes": [
            [node, info.kind, info.server, info.label.to_json(), info.bytes, info.name]
            for node, info in graph.nodes.items()
        ],
        "index": graph.index.dump(),
        "carried": [[node, _carried_groups(graph.carry, node)] for node in graph.carry.nodes()],
        "context": graph.context.to_json(),
        "residue": graph.residue.to_json(),
        "indexed_bytes": graph.indexed_bytes,
        "next_id": graph.next_id,
        "said": list(graph.said),
        "own": graph.sent.dump()["nodes"],
        "records": graph.structured.dump()["nodes"],
        "directed": sorted(graph.directed),
        "asked": [sorted(words) for words in graph.asked],
        "content_dates": sorted(graph.content_dates),
        "content_links": sorted(graph.content_links),
        "visited_hosts": sorted(graph.visited_hosts),
        "delegated": graph.delegated,
        "user_spoke": graph.user_spoke,
    }


def load_graph(
    cls: type[SessionGraph], data: Any, labeler: Labeler, max_nodes: int, max_bytes: int
) -> SessionGraph:
    """The graph `dump_graph` described; ValueError ("provenance snapshot: <where>: <what>")."""
    if not isinstance(data, dict):
        raise ValueError("provenance snapshot: expected an object")
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"provenance snapshot: version {data.get('version')!r}, expected {SNAPSHOT_VERSION}")
    missing = _KEYS - set(data)
    if missing:
        raise ValueError(f"provenance snapshot: missing {', '.join(sorted(missing))}")
    try:
        return _load(cls, data, labeler, max_nodes, max_bytes)
    except ValueError as exc:
        raise ValueError(f"provenance snapshot: {exc}") from None


def _load(
    cls: type[SessionGraph], data: dict[str, Any], labeler: Labeler, max_nodes: int, max_bytes: int
) -> SessionGraph:
    nodes: OrderedDict[int, Node] = OrderedDict()
    for position, entry in enumerate(array_of(data["nodes"], "nodes")):
        where = f"nodes[{position}]"
        if not isinstance(entry, list) or len(entry) not in (5, 6):
            raise ValueError(f"{where}: expected [id, kind, server, label, bytes, name]")
        node = integer(entry[0], where)
        if nodes and node <= next(reversed(nodes)):
            raise ValueError(f"{where}: node ids must ascend")
        nodes[node] = Node(
            text(entry[1], f"{where}.kind"),
            text(entry[2], f"{where}.server"),
            label_from_json(entry[3], f"{where}.label"),
            integer(entry[4], f"{where}.bytes"),
            text(entry[5], f"{where}.name") if len(entry) == 6 else "",
        )
    index = ValueIndex.load(data["index"])
    if not set(index.nodes()) <= set(nodes):
        raise ValueError("index: holds content of a node that is not in nodes")
    carry = CarryIndex()
    for position, entry in enumerate(array_of(data["carried"], "carried")):
        where = f"carried[{position}]"
        if not isinstance(entry, list) or len(entry) != 2:
            raise ValueError(f"{where}: expected [node, groups]")
        node = integer(entry[0], where)
        if node not in nodes or carry.of(node):
            raise ValueError(f"{where}: node {node} is not in nodes, or is listed twice")
        carry.add(node, _carried_from_json(entry[1], where))
    indexed_bytes = integer(data["indexed_bytes"], "indexed_bytes")
    if indexed_bytes != sum(n.bytes for n in nodes.values()):
        raise ValueError("indexed_bytes: not the sum of the nodes' bytes")
    next_id = integer(data["next_id"], "next_id")
    if next_id < 1 or (nodes and next_id <= next(reversed(nodes))):
        raise ValueError("next_id: not above every node id")
    said = [text(t, f"said[{i}]") for i, t in enumerate(array_of(data["said"], "said"))]
    # The agent's own values share the index's secret; a snapshot from before they were kept has none.
    own = ValueIndex.load({"secret": index.secret.hex(), "nodes": data.get("own", [])})
    if not set(own.nodes()) <= set(nodes):
        raise ValueError("own: holds values of a node that is not in nodes")
    records = ValueIndex.load({"secret": index.secret.hex(), "nodes": data.get("records", [])})
    if not set(records.nodes()) <= set(nodes):
        raise ValueError("records: holds keys of a node that is not in nodes")
    directed = {integer(n, "directed") for n in array_of(data.get("directed", []), "directed")}
    if not directed <= set(nodes):
        raise ValueError("directed: names a node that is not in nodes")
    asked = [
        frozenset(text(w, f"asked[{i}]") for w in array_of(words, f"asked[{i}]"))
        for i, words in enumerate(array_of(data.get("asked", []), "asked"))
    ]
    content_dates = {
        text(d, "content_dates") for d in array_of(data.get("content_dates", []), "content_dates")
    }
    if not all(_MONTH_DAY.fullmatch(d) for d in content_dates):
        raise ValueError("content_dates: expected month-day keys such as '05-13'")
    content_links = {
        text(h, "content_links") for h in array_of(data.get("content_links", []), "content_links")
    }
    visited_hosts = {
        text(h, "visited_hosts") for h in array_of(data.get("visited_hosts", []), "visited_hosts")
    }
    for name, hosts in (("content_links", content_links), ("visited_hosts", visited_hosts)):
        if not all(_HOST.fullmatch(h) for h in hosts):
            raise ValueError(f"{name}: expected host names such as 'example.com'")
        if len(hosts) > MAX_CONTENT_LINKS:
            raise ValueError(f"{name}: more than {MAX_CONTENT_LINKS} hosts")
    return cls(
        labeler,
        max_nodes,
        max_bytes,
        nodes,
        index,
        carry,
        label_from_json(data["context"], "context"),
        label_from_json(data["residue"], "residue"),
        indexed_bytes,
        next_id,
        said,
        own,
        records,
        directed,
        asked[-MAX_INSTRUCTIONS:],
        content_dates,
        content_links,
        visited_hosts,
        _boolean(data.get("delegated", False), "delegated"),
        _boolean(data.get("user_spoke", any(n.kind == "user" for n in nodes.values())), "user_spoke"),
    )


def _carried_groups(carry: CarryIndex, node: int) -> list[list[Any]]:
    groups: dict[Carried, list[int]] = {}
    for digest, carried in carry.of(node).items():
        groups.setdefault(carried, []).append(digest)
    return [[c.label.to_json(), list(c.servers), digests_to_text(d)] for c, d in groups.items()]


def _carried_from_json(data: Any, where: str) -> dict[int, Carried]:
    entries: dict[int, Carried] = {}
    for position, group in enumerate(array_of(data, where)):
        at = f"{where}[{position}]"
        if not isinstance(group, list) or len(group) != 3:
            raise ValueError(f"{at}: expected [label, servers, digests]")
        servers = tuple(text(s, f"{at}.servers") for s in array_of(group[1], f"{at}.servers"))
        carried = Carried(label_from_json(group[0], f"{at}.label"), servers)
        for digest in digests_from_text(group[2], f"{at}.digests"):
            entries[digest] = carried
    if not entries:
        raise ValueError(f"{where}: a carrying node carries nothing")
    return entries


def _boolean(data: Any, where: str) -> bool:
    if not isinstance(data, bool):
        raise ValueError(f"{where}: expected true or false, got {type(data).__name__}")
    return data

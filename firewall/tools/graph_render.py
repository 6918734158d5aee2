"""`mcp-firewall graph`: rebuild a session's provenance graph from the audit log, as JSON
(networkx node-link) or Graphviz DOT. The audit log is the durable record; the live graph is
bounded and forgets, the log does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

_COLOURS = {"untrusted": "#e05252", "internal": "#e0a030", "trusted": "#4caf50"}
_SHAPES = {"tool_call": "box", "tool_result": "ellipse", "tool_description": "note", "resource": "folder"}


def sessions_in(path: Path) -> dict[str, nx.DiGraph]:
    """Every session in the log, each as its provenance graph (in log order)."""
    graphs: dict[str, nx.DiGraph] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        provenance = record.get("provenance")
        if not provenance:
            continue
        graph = graphs.setdefault(record["session"], nx.DiGraph(session=record["session"]))
        if record["kind"] == "tool_call":
            _add_call(graph, record, provenance)
        else:
            for output in provenance:
                _add_output(graph, record, output)
    return graphs


def _add_call(graph: nx.DiGraph, record: dict[str, Any], provenance: dict[str, Any]) -> None:
    node = provenance["node"]
    graph.add_node(
        node,
        kind="tool_call",
        server=record["server"],
        name=record.get("tool"),
        trust=provenance["taint"]["trust"],
        confidentiality=provenance["taint"]["confidentiality"],
        context_trust=provenance["context"]["trust"],
        classes=provenance["classes"],
        decision=record["decision"],
    )
    for argument in provenance["derived_from"]:
        for source in argument["sources"]:
            if source not in graph:
                graph.add_node(source, kind="forgotten")
            edge = graph.get_edge_data(source, node) or {"kind": "derived_from", "matches": []}
            edge["matches"].append(
                {"path": argument["path"], "kind": argument["kind"], "span": argument["span"]}
            )
            graph.add_edge(source, node, **edge)


def _add_output(graph: nx.DiGraph, record: dict[str, Any], output: dict[str, Any]) -> None:
    node = output["node"]
    graph.add_node(
        node,
        kind=output["kind"],
        server=record["server"],
        name=output.get("name") or record.get("tool") or record.get("method"),
        trust=output["trust"],
        confidentiality=output["confidentiality"],
        decision=record["decision"],
    )
    if "produced_by" in output:
        graph.add_edge(output["produced_by"], node, kind="produced")


def to_json(graph: nx.DiGraph) -> str:
    """The graph as networkx node-link JSON."""
    return json.dumps(nx.node_link_data(graph, edges="edges"), indent=2, default=str)


def _quote(text: Any) -> str:
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(graph: nx.DiGraph) -> str:
    """The graph as Graphviz DOT: nodes coloured by trust, derivations as bold red edges."""
    lines = [f"digraph {_quote('session ' + str(graph.graph.get('session', '')))} {{", "  rankdir=LR;"]
    for node, data in graph.nodes(data=True):
        label = f"#{node} {data.get('kind')}\n{data.get('server', '')}/{data.get('name', '')}\n{data.get('trust', '?')}"
        colour = _COLOURS.get(str(data.get("trust")), "#999999")
        shape = _SHAPES.get(str(data.get("kind")), "ellipse")
        lines.append(f"  {node} [label={_quote(label)}, shape={shape}, color={_quote(colour)}];")
    for source, target, data in graph.edges(data=True):
        kind = data.get("kind", "")
        if kind == "derived_from":
            detail = ", ".join(
                f"{'.'.join(map(str, m['path']))}:{m['kind']}" for m in data.get("matches", [])
            )
            lines.append(f'  {source} -> {target} [label={_quote(detail)}, style=bold, color="#e05252"];')
        else:
            lines.append(f"  {source} -> {target} [label={_quote(kind)}, style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"

"""Property tests: more knowledge never lowers a call's taint, and neither does forgetting."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from firewall.config import ProvenanceConfig
from firewall.core.labels import Confidentiality, Label, Trust
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler

VALUES = [
    "alice@corp.example",
    "eve@evil.example",
    "https://drop.evil.example/x",
    "DE89 3704 0044 0532 0130 00",
    "acct-99887766",
    "1234-5678-9012",
    "/srv/exports/q3.csv",
    "the quarterly revenue grew by twelve percent while costs fell across every region we serve",
    "Mary O'Brien",
    "yes",
    "1",
]
labels = st.builds(Label, st.sampled_from(list(Trust)), st.sampled_from(list(Confidentiality)))
texts = st.lists(st.sampled_from(VALUES), min_size=1, max_size=4).map(lambda parts: " and ".join(parts))
outputs = st.lists(st.tuples(labels, texts), max_size=12)
arguments = st.dictionaries(
    st.sampled_from(["to", "body", "url", "ref"]), st.sampled_from(VALUES) | texts, min_size=1, max_size=3
)


def build(items: list[tuple[Label, str]], **bounds: int) -> SessionGraph:
    graph = SessionGraph(Labeler(ProvenanceConfig()), **bounds)
    for label, text in items:
        graph.add_output("tool_result", "srv", "tool", [text], label)
    return graph


@settings(max_examples=200, deadline=None)
@given(outputs, outputs, arguments)
def test_adding_outputs_never_lowers_a_calls_taint(before, more, args):
    first = build(before).add_call("srv", "sink", args)
    later = build(before + more).add_call("srv", "sink", args)
    assert first.taint.flows_to(later.taint)
    assert first.context.flows_to(later.context)


@settings(max_examples=200, deadline=None)
@given(
    outputs, arguments, st.integers(min_value=10, max_value=14), st.integers(min_value=1024, max_value=1400)
)
def test_eviction_never_lowers_a_calls_taint(items, args, max_nodes, max_bytes):
    remembered = build(items).add_call("srv", "sink", args)
    padding = [(Label(), f"filler {i} " * 40) for i in range(4)]  # forces eviction under the small bounds
    forgetful = build(items + padding, max_nodes=max_nodes, max_bytes=max_bytes).add_call("srv", "sink", args)
    assert remembered.taint.flows_to(forgetful.taint)
    assert remembered.context.flows_to(forgetful.context)

"""Provenance matching cost as a session grows: per-call matching latency and per-output indexing
cost at 100, 1,000 and 10,000 output nodes (about 1 KB each, so up to 10 MB of session text), the
memory one session's graph and index take, and what a snapshot of it costs (JSON size, dump and
load time).

Usage: python bench/provenance.py [--calls 1000] [--write]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import tracemalloc

from results import machine, write_section

from firewall.config import ProvenanceConfig
from firewall.core.labels import Confidentiality, Label, Trust
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler

SIZES = (100, 1_000, 10_000)
UNTRUSTED = Label(Trust.UNTRUSTED, Confidentiality.PUBLIC)
WORDS = (
    "the report shows revenue growth across regions while costs fell and the team plans to expand "
    "operations next quarter according to the board meeting notes and customer feedback from partners"
).split()


def output_text(rng: random.Random, index: int) -> str:
    """About 1 KB of tool-output-like text with a few traceable values in it."""
    words = " ".join(rng.choice(WORDS) for _ in range(150))
    return (
        f"Message {index} from user{index}@corp{index % 97}.example about invoice INV-{index:06d}-{rng.randrange(10**6):06d}.\n"
        f"{words[:700]}\nSee https://portal{index % 50}.example/doc/{index} or call +1 555 {rng.randrange(10**7):07d}.\n"
        f"account: {rng.randrange(10**11, 10**12)}"
    )


def call_arguments(rng: random.Random, size: int) -> dict[str, object]:
    """Typical arguments: half carry a value from some earlier output, half are fresh."""
    index = rng.randrange(size)
    to = (
        f"user{index}@corp{index % 97}.example"
        if rng.random() < 0.5
        else f"someone{rng.randrange(10**6)}@new.example"
    )
    body = " ".join(rng.choice(WORDS) for _ in range(40))
    return {"to": to, "subject": f"Re: invoice {rng.randrange(10**6)}", "body": body, "priority": 2}


def build(size: int, rng: random.Random) -> tuple[SessionGraph, list[float], int]:
    graph = SessionGraph(Labeler(ProvenanceConfig()), max_nodes=50_000, max_bytes=64 * 1024 * 1024)
    per_kb: list[float] = []
    total = 0
    for index in range(size):
        text = output_text(rng, index)
        start = time.perf_counter()
        graph.add_output("tool_result", "web", "fetch", [text], UNTRUSTED)
        per_kb.append((time.perf_counter() - start) * 1e3 / (len(text) / 1024))
        total += len(text)
    return graph, per_kb, total


def measure(size: int, calls: int) -> dict[str, float]:
    rng = random.Random(size)
    graph, per_kb, total = build(size, rng)
    samples = []
    for _ in range(calls):
        arguments = call_arguments(rng, size)
        start = time.perf_counter()
        graph.add_call("mail", "send_email", arguments)
        samples.append((time.perf_counter() - start) * 1e3)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    start = time.perf_counter()
    snapshot = json.dumps(graph.dump())
    dumped = time.perf_counter()
    SessionGraph.load(json.loads(snapshot), graph.labeler, graph.max_nodes, graph.max_bytes)
    loaded = time.perf_counter()
    tracemalloc.start()
    memory_graph, _, _ = build(size, random.Random(size))
    memory = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del memory_graph
    return {
        "nodes": size,
        "text_mb": total / 2**20,
        "p50": cuts[49],
        "p99": cuts[98],
        "index_ms_per_kb": statistics.median(per_kb),
        "memory_mb": memory,
        "keys": len(graph.index),
        "carried": len(graph.carry),
        "snapshot_mb": len(snapshot) / 2**20,
        "dump_ms": (dumped - start) * 1e3,
        "load_ms": (loaded - dumped) * 1e3,
    }


def table(rows: list[dict[str, float]]) -> str:
    lines = [
        "| output nodes | session text MB | call matching p50 ms | p99 ms | indexing ms per KB of output | index keys | carried keys | session memory MB | snapshot JSON MB | dump ms | load ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['nodes']:,} | {r['text_mb']:.1f} | {r['p50']:.3f} | {r['p99']:.3f} | "
            f"{r['index_ms_per_kb']:.3f} | {r['keys']:,} | {r['carried']:,} | {r['memory_mb']:.1f} | "
            f"{r['snapshot_mb']:.1f} | {r['dump_ms']:.0f} | {r['load_ms']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    rows = [measure(size, args.calls) for size in SIZES]
    text = table(rows)
    print(text)
    flat = rows[-1]["p50"] / rows[0]["p50"]
    verdict = "PASS" if rows[-1]["p50"] <= 1.0 else "FAIL"
    summary = (
        f"Target: call matching p50 <= 1 ms at 10,000 nodes / ~10 MB: {rows[-1]['p50']:.3f} ms ({verdict}); "
        f"growth from 100 to 10,000 nodes: x{flat:.2f} at p50."
    )
    print(summary)
    if args.write:
        write_section(
            "provenance",
            f"## Provenance matching\n\n{text}\n\n{summary}\n\n"
            "Each call has four arguments (an address that half the time comes from an earlier output, a subject, "
            "a 40-word body, a number); each output is about 1 KB of text with an address, an invoice id, a URL, "
            "a phone number and an account number. Every call carries the values it took from those (untrusted) outputs "
            "(carried keys). Memory is what tracemalloc sees for one session's graph and index; the snapshot is "
            "`json.dumps(graph.dump())` after the calls, loaded back with `SessionGraph.load`.\n\n"
            f"- Machine: {machine()}\n"
            f"- Command: `python bench/provenance.py --write` ({args.calls} calls per size)\n",
        )


if __name__ == "__main__":
    main()

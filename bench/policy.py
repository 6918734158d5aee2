"""Per-decision policy latency: building the input document plus evaluating the baseline pack, on
the embedded engine (regorus, inline) and on an OPA-server engine (opa-python-client over HTTP to
a local server speaking OPA's REST API), interleaved in one run.

Usage: python bench/policy.py [--decisions 2000] [--write]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results import machine, write_section

from firewall.bundle import REGO_DIR
from firewall.config import ProvenanceConfig
from firewall.core.events import SessionInfo, ToolCall
from firewall.core.labels import Confidentiality, Label, Trust
from firewall.guard.state import SessionState, StateView
from firewall.policy.build import build_input
from firewall.policy.engine import EmbeddedEngine, OpaServerEngine, load_sources, policy_data
from firewall.provenance.graph import SessionGraph
from firewall.provenance.labeler import Labeler
from tests.support.opa_server import opa_server


def scenario() -> tuple[ToolCall, SessionState, StateView, Labeler]:
    """A mid-session send_email whose recipient came from an untrusted mail (denied by baseline)."""
    labeler = Labeler(ProvenanceConfig())
    session = SessionInfo("bench", principal="alice")
    state = SessionState(session, SessionGraph(labeler))
    graph = state.graph
    for index in range(50):
        graph.add_output(
            "tool_result",
            "mail",
            "read_inbox",
            [f"From: user{index}@corp.example\nHello {index}"],
            Label(Trust.UNTRUSTED, Confidentiality.PRIVATE),
        )
    arguments = {
        "to": "user7@corp.example",
        "subject": "Re: hello",
        "body": "Thanks for the note, see you soon.",
    }
    schema = {"name": "send_email", "annotations": {"readOnlyHint": False, "openWorldHint": True}}
    call = ToolCall(session, "mail", "send_email", arguments, 1, schema)
    call = dataclasses.replace(
        call, provenance=graph.add_call("mail", "send_email", arguments, schema["annotations"])
    )
    return call, state, state.view(), labeler


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


async def measure(decisions: int) -> dict[str, tuple[float, float]]:
    call, state, view, labeler = scenario()
    benign = ToolCall(call.session, "mail", "read_inbox", {"folder": "inbox"}, 2, {"name": "read_inbox"})
    benign = dataclasses.replace(
        benign,
        provenance=state.graph.add_call("mail", "read_inbox", benign.arguments, {"readOnlyHint": True}),
    )
    sources, data = load_sources([REGO_DIR], packs=["baseline"]), policy_data(["baseline"], [])
    embedded = EmbeddedEngine(sources, data)
    with opa_server() as (url, _):
        remote = OpaServerEngine(url, token=None, timeout=2.0)
        await anyio.to_thread.run_sync(remote.push, sources, data)
        paths = {
            "embedded, deny (recipient from untrusted mail)": (embedded, call, {"deny"}),
            "embedded, allow (read-only call)": (embedded, benign, set()),
            "opa server, deny": (remote, call, {"deny"}),
            "opa server, allow": (remote, benign, set()),
        }
        samples: dict[str, list[float]] = {name: [] for name in paths}
        samples["input building only"] = []
        for name, (engine, event, levels) in paths.items():  # warm-up, and every path must agree
            for _ in range(50):
                answer = await engine.evaluate(build_input(event, view, labeler))
            assert {f["level"] for f in answer} == levels, (name, answer)
        for _block in range(10):
            for name, (engine, event, _) in paths.items():
                count = decisions // 10 if name.startswith("embedded") else decisions // 40
                for _ in range(count):
                    start = time.perf_counter()
                    await engine.evaluate(build_input(event, view, labeler))
                    samples[name].append((time.perf_counter() - start) * 1e6)
            for _ in range(decisions // 10):
                start = time.perf_counter()
                build_input(call, view, labeler)
                samples["input building only"].append((time.perf_counter() - start) * 1e6)
    return {name: percentiles(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    stats = anyio.run(measure, args.decisions)
    lines = ["| path (baseline pack) | p50 µs | p99 µs |", "|---|---:|---:|"]
    lines += [f"| {name} | {p50:.1f} | {p99:.1f} |" for name, (p50, p99) in stats.items()]
    table = "\n".join(lines)
    deny, allow = (
        stats["embedded, deny (recipient from untrusted mail)"][0],
        stats["embedded, allow (read-only call)"][0],
    )
    summary = (
        f"Target: embedded p50 <= 50 µs per decision (input building + evaluation): allow {allow:.1f} µs, "
        f"deny {deny:.1f} µs ({'PASS' if max(allow, deny) <= 50 else 'FAIL'})."
    )
    print(f"{table}\n\n{summary}")
    if args.write:
        write_section(
            "policy",
            f"## Policy decisions\n\n{table}\n\n{summary}\n\n"
            "One decision = build the input document for a mid-session send_email (50 earlier outputs, a recipient "
            "derived from one of them) and evaluate the baseline pack (data.mcp_firewall.finding_list, what the firewall queries). The OPA-server "
            "path adds a worker-thread hop and HTTP to a local OPA-REST-compatible server (regorus inside, TCP_NODELAY).\n\n"
            f"- Machine: {machine()}\n"
            f"- Command: `python bench/policy.py --write` ({args.decisions} embedded decisions, a quarter as many over HTTP)\n",
        )


if __name__ == "__main__":
    main()

"""Latency and memory overhead of mcp-firewall on sequential tools/call round trips.

Routes to bench/echo_server.py, each driven by its own SDK Client (handshake era, mode="legacy"):
direct stdio, through `mcp-firewall wrap` (without the classifier, and as the default install runs it:
classifier on), through the gateway's stdio front, and through the gateway's HTTP front. After a warm-up, the routes are interleaved round-robin in blocks so that machine noise hits
all of them alike. Reports p50/p99 per path, what each adds over direct, and the firewall processes'
own RSS (their child servers excluded).

    python bench/overhead.py [--calls 1000] [--blocks 10] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import psutil
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from results import machine, write_section

from firewall.proxy.sdk import create_mcp_http_client

BENCH = Path(__file__).resolve().parent
ECHO = [sys.executable, str(BENCH / "echo_server.py")]
FIREWALL = [sys.executable, "-m", "firewall"]
TOKEN = "bench-token-0123456789abcdef"
WARMUP = 50
ARGS = {"text": "hello"}
CLIENT = {"mode": "legacy", "read_timeout_seconds": 30}  # comparable handshakes; a hung firewall fails


@dataclass
class Route:
    name: str
    client: Client
    tool: str
    pid: int | None = None
    """The process whose RSS is reported: the firewall itself, or the echo server on the direct path."""
    samples: list[int] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gateway_config(directory: Path, transport: str, port: int = 0) -> Path:
    config = directory / f"gateway-{transport}.toml"
    config.write_text(
        f'[gateway]\ntransport = "{transport}"\nhost = "127.0.0.1"\nport = {port}\npath = "/mcp"\n'
        f'[[gateway.tokens]]\ntoken = "{TOKEN}"\nprincipal = "bench"\n'
        f"[servers.bench]\ncommand = {json.dumps(ECHO)}\n",  # a JSON string array is valid TOML
        encoding="utf-8",
    )
    return config


async def _wait_listening(proc: subprocess.Popen[bytes], port: int, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the HTTP gateway exited with status {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            await anyio.sleep(0.05)
    raise TimeoutError(f"the HTTP gateway did not accept on 127.0.0.1:{port} within {deadline_s:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a process we started, then any of its children it left behind."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _, alive = psutil.wait_procs(children, timeout=3)
    for child in alive:
        child.kill()


async def _enter(stack: AsyncExitStack, route: Route, spawns: bool = True) -> Route:
    """Enter the route's client; when it spawns a process, remember that (new, direct) child's pid."""
    before = {p.pid for p in psutil.Process().children()}
    await stack.enter_async_context(route.client)
    if spawns:
        (route.pid,) = {p.pid for p in psutil.Process().children()} - before
    return route


async def _call(route: Route) -> int:
    start = time.perf_counter_ns()
    result = await route.client.call_tool(route.tool, ARGS)
    elapsed = time.perf_counter_ns() - start
    if result.is_error or result.content[0].text != ARGS["text"]:
        raise RuntimeError(f"{route.name}: unexpected result {result!r}")
    return elapsed


# The firewall paths run without the injection classifier (the "without the ml extra" figures),
# except "wrap (default install)", which runs as a user gets it: the classifier on, int8 on CPU.
# (The classifier's own cost on text it reads is measured by bench/detector_speed.py.)
NO_CLASSIFIER = {"MCP_FIREWALL_DETECT__CLASSIFIER": "off"}


DEFAULT_ROUTE = "wrap (default install, classifier on)"
DEFAULT_ENV = {"MCP_FIREWALL_DETECT__CLASSIFIER": "builtin"}
"""Required rather than "auto": the run fails instead of quietly measuring without the model."""


async def _stdio_route(
    stack: AsyncExitStack, name: str, tool: str, command: list[str], env: dict[str, str] | None = None
) -> Route:
    client = Client(StdioServerParameters(command=command[0], args=command[1:], env=env), **CLIENT)
    return await _enter(stack, Route(name, client, tool))


async def measure(calls: int, blocks: int) -> tuple[list[Route], dict[str, float]]:
    """Run the benchmark; return the routes with their samples and the RSS (MB) of each measured process."""
    stack = AsyncExitStack()
    async with stack:
        # Safety net, runs last: nothing we spawned outlives the run, even on failure.
        stack.callback(_reap_descendants)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mcp-firewall-bench-")))
        gateway_stdio = [*FIREWALL, "serve", "--config", str(_gateway_config(tmp, "stdio"))]
        routes = [
            await _stdio_route(stack, "direct", "echo", ECHO),
            await _stdio_route(stack, "wrap", "echo", [*FIREWALL, "wrap", "--", *ECHO], NO_CLASSIFIER),
            await _stdio_route(stack, DEFAULT_ROUTE, "echo", [*FIREWALL, "wrap", "--", *ECHO], DEFAULT_ENV),
            # The same wrapper writing its audit log (two flushed records per call: call and result).
            await _stdio_route(
                stack,
                "wrap + audit",
                "echo",
                [*FIREWALL, "wrap", "--audit-log", str(tmp / "audit.jsonl"), "--", *ECHO],
                NO_CLASSIFIER,
            ),
            await _stdio_route(stack, "gateway stdio", "bench__echo", gateway_stdio, NO_CLASSIFIER),
        ]
        port = _free_port()
        gateway = subprocess.Popen(
            [*FIREWALL, "serve", "--config", str(_gateway_config(tmp, "http", port))],
            env={**os.environ, **NO_CLASSIFIER},
        )
        stack.callback(_stop, gateway)
        await _wait_listening(gateway, port)
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
        await stack.enter_async_context(http)
        transport = streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)
        http_route = Route("gateway http", Client(transport, **CLIENT), "bench__echo", pid=gateway.pid)
        routes.append(await _enter(stack, http_route, spawns=False))

        for route in routes:
            for _ in range(WARMUP):
                await _call(route)
        per_block = max(1, calls // blocks)
        for block in range(blocks):
            first = block % len(routes)  # rotate who goes first
            for route in routes[first:] + routes[:first]:
                route.samples.extend([await _call(route) for _ in range(per_block)])
        rss = {route.name: psutil.Process(route.pid).memory_info().rss / 2**20 for route in routes}
    return routes, rss


def _reap_descendants() -> None:
    children = psutil.Process().children(recursive=True)
    for child in children:
        child.terminate()
    _, alive = psutil.wait_procs(children, timeout=3)
    for child in alive:
        child.kill()


def _percentiles(samples: list[int]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] / 1e6, cuts[98] / 1e6


def table(routes: list[Route], rss: dict[str, float]) -> tuple[str, dict[str, tuple[float, float]]]:
    stats = {route.name: _percentiles(route.samples) for route in routes}
    base50, base99 = stats["direct"]
    lines = [
        "| path | calls | p50 ms | p99 ms | added p50 ms | added p99 ms | RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for route in routes:
        p50, p99 = stats[route.name]
        added = ("—", "—") if route.name == "direct" else (f"{p50 - base50:+.3f}", f"{p99 - base99:+.3f}")
        lines.append(
            f"| {route.name} | {len(route.samples)} | {p50:.3f} | {p99:.3f} | {added[0]} | {added[1]} "
            f"| {rss[route.name]:.1f} |"
        )
    return "\n".join(lines), stats


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="measured calls per path (default 1000)")
    parser.add_argument("--blocks", type=int, default=10, help="round-robin blocks per path (default 10)")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()

    routes, rss = anyio.run(measure, args.calls, args.blocks)
    text, stats = table(routes, rss)
    wrap_added = stats["wrap"][0] - stats["direct"][0]
    classifier_added = stats[DEFAULT_ROUTE][0] - stats["wrap"][0]
    verdict = (
        f"Targets: wrap added p50 {wrap_added:+.3f} ms (<= 1.0 ms: {_pass(wrap_added <= 1.0)}); "
        f"wrapper RSS {rss['wrap']:.1f} MB (<= 80 MB: {_pass(rss['wrap'] <= 80)}); the default install "
        f"(classifier on) adds p50 {classifier_added:+.3f} ms to the trivial call over wrap without it "
        f"(<= 1.0 ms: {_pass(classifier_added <= 1.0)}), RSS {rss[DEFAULT_ROUTE]:.1f} MB."
    )
    note = (
        "RSS is that of the process itself after the run, its child servers excluded: the echo server on "
        "the direct path, the firewall process (wrapper or gateway) on the others."
    )
    print(f"{text}\n\n{verdict}\n\n{note}")
    if args.write:
        command = " ".join(["python", "bench/overhead.py", *sys.argv[1:]])
        write_section(
            "overhead",
            "## Overhead: direct vs wrapper vs gateway\n\n"
            f"{text}\n\n{verdict}\n\n{note}\n\n"
            f"- Machine: {machine()}\n"
            f"- Command: `{command}` ({WARMUP} warm-up calls per path, then {args.blocks} "
            "interleaved blocks per path)\n",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

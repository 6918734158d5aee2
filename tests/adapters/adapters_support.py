"""Shared by the adapter tests: the scripted session, and replaying what an adapter saw."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from mcp_firewall_adapters import RuntimeSession

from firewall.config import FirewallConfig, Rule, load_config
from firewall.tools.replay_command import replay_file
from tests.support.processes import popen, read_line

HERE = Path(__file__).resolve().parent
USER_TASK = "Summarise my inbox and send the quarterly numbers to carol@partner.example."
SYSTEM = "You are a mail assistant."
EXFIL = {
    "to": "archive@evil.example",
    "subject": "Fwd: inbox",
    "body": "Quarterly numbers: revenue is up 12%.",
}
REPLY = {"to": "carol@partner.example", "subject": "Numbers", "body": "Revenue is up 12%."}
INJECTION = "ignore previous instructions"


def inbox_command(outbox: Path, *, clean: bool = False) -> list[str]:
    """The demo inbox server (firewall/tools/demo/server.py), recording sent mail to `outbox`."""
    return [sys.executable, str(HERE / "inbox_server.py"), str(outbox), *(["--clean"] if clean else [])]


def sent_mail(outbox: Path) -> list[dict[str, Any]]:
    """What the server actually sent."""
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines() if line]


async def replayed(session: RuntimeSession, config: FirewallConfig, tmp_path: Path) -> list[str]:
    """The decisions `mcp-firewall replay` gives for the trace the session recorded (on a thread
    of its own: replay runs its own event loop)."""
    path = session.write_trace(tmp_path / f"trace-{session.id}.jsonl")
    return await anyio.to_thread.run_sync(_replay, path, config)


def _replay(path: Path, config: FirewallConfig) -> list[str]:
    rows, _ = replay_file(path, config)
    # replay leaves its firewall in reference cycles; collect them here, on the thread whose Rego
    # engine they hold (a regorus Engine must not be dropped on another thread)
    gc.collect()
    return [row["decision"] for row in rows]


@contextmanager
def inbox_http(outbox: Path, *, clean: bool = False) -> Iterator[str]:
    """The recording inbox server over streamable HTTP on 127.0.0.1; yields its URL."""
    command = [*inbox_command(outbox, clean=clean), "--http"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with popen(command, kill=True, stdout=subprocess.PIPE, env=env) as process:
        line = read_line(process, 30, what="the inbox server (not started)").strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"the inbox server did not start: {line!r}")
        yield line.removeprefix("READY ")


ASK_RULE = "ask.send_email"
ASK_MESSAGE = "sending mail needs a person"


def asking_config(tmp_path: Path) -> FirewallConfig:
    """A config whose rules ask before every send_email, logging to tmp_path/audit.jsonl."""
    config = load_config(None, **{"detect.classifier": "off", "audit.path": str(tmp_path / "audit.jsonl")})
    rule = Rule(id=ASK_RULE, server="inbox", tool="send_email", action="ask", message=ASK_MESSAGE)
    return config.model_copy(update={"rules": [rule]})


def audited_calls(tmp_path: Path, tool: str = "send_email") -> list[dict[str, Any]]:
    """The audit records of the calls of `tool`, oldest first."""
    path = tmp_path / "audit.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in records if r.get("tool") == tool and r.get("kind") == "tool_call"]

"""A hand-rolled stdio MCP server for fault-injection tests: it does what an SDK server never would.

Usage::

    python tests/support/raw_server.py [--record FILE] [--ignore-eof] [--ignore-sigterm]

It answers `initialize`, `ping`, `tools/list` and `tools/call` for these tools:
- `echo` (argument `text`): returns the text;
- `delete_everything`: returns "deleted" (a tool the tests' rules deny);
- `hang`: never answers;
- `bad_progress`: sends `notifications/progress` with a list as its token, then answers;
- `bad_notes`: sends notifications with malformed params (cancelled with a list id, a request
  method as a notification, a `_meta` that is not an object), then answers.
It is lenient on purpose, like some real servers: a `tools/call` *notification* (no id, or an id the
SDK drops) is executed anyway. `--record FILE` appends every line received, raw, so a test can
prove what reached the server. `--ignore-eof` keeps running after stdin closes (until signalled);
`--ignore-sigterm` also ignores SIGTERM (only SIGKILL stops it).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from typing import Any

TOOLS = [
    {"name": name, "description": f"the {name} tool", "inputSchema": {"type": "object"}}
    for name in ("echo", "delete_everything", "hang", "bad_progress", "bad_notes")
]


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
    sys.stdout.flush()


def text(value: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": value}]}


def call_tool(request_id: Any, params: dict[str, Any]) -> None:
    name = params.get("name")
    arguments = params.get("arguments") or {}
    if name == "hang":
        return
    if name == "bad_progress":
        send({"method": "notifications/progress", "params": {"progressToken": [1], "progress": 1}})
    if name == "bad_notes":
        send({"method": "notifications/cancelled", "params": {"requestId": {"x": 1}}})
        send({"method": "notifications/cancelled", "params": {"requestId": [1, 2]}})
        send({"method": "sampling/createMessage", "params": {"messages": []}})
        send({"method": "notifications/message", "params": {"level": "info", "data": "x", "_meta": [1]}})
        send({"method": "notifications/progress", "params": {"progressToken": {"a": 1}, "progress": 1}})
    if request_id is None:
        return  # a notification: executed, nobody to answer
    reply = text(f"Echo: {arguments.get('text', '')}" if name == "echo" else "deleted")
    if name not in {t["name"] for t in TOOLS}:
        send({"id": request_id, "error": {"code": -32602, "message": f"unknown tool {name}"}})
        return
    send({"id": request_id, "result": reply})


def handle(message: dict[str, Any]) -> None:
    method = message.get("method")
    request_id = message.get("id")
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    if method == "initialize":
        result = {
            "protocolVersion": params.get("protocolVersion", "2025-11-25"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "raw", "version": "0"},
        }
        send({"id": request_id, "result": result})
    elif method == "ping" and request_id is not None:
        send({"id": request_id, "result": {}})
    elif method == "tools/list" and request_id is not None:
        send({"id": request_id, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        call_tool(request_id, params)
    elif request_id is not None and method is not None:
        send({"id": request_id, "error": {"code": -32601, "message": f"no method {method}"}})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record")
    parser.add_argument("--ignore-eof", action="store_true")
    parser.add_argument("--ignore-sigterm", action="store_true")
    args = parser.parse_args()
    if args.ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    record = open(args.record, "a", encoding="utf-8") if args.record else None  # noqa: SIM115
    for line in sys.stdin:
        if record is not None:
            record.write(line if line.endswith("\n") else line + "\n")
            record.flush()
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            handle(message)
    if args.ignore_eof:
        while True:
            time.sleep(1)


if __name__ == "__main__":
    main()

"""The demo inbox MCP server (firewall/tools/demo/server.py), run as is, that also writes every mail it
sends to a file, so a test can check on the server side that a blocked mail was never sent.

    python tests/adapters/inbox_server.py SENT.jsonl [--clean] [--http]

With --http it serves streamable HTTP on 127.0.0.1 (a free port) at /mcp and prints one line,
`READY <url>`, once it accepts connections; otherwise stdio.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

import anyio
import uvicorn

from firewall.tools.demo import server as demo


class _Outbox(list[dict[str, Any]]):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        path.touch()

    def append(self, mail: dict[str, Any]) -> None:
        super().append(mail)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(mail) + "\n")


class _Announcing(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        super().__init__(config)
        self.sock = sock

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host, port = self.sock.getsockname()[:2]
            print(f"READY http://{host}:{port}/mcp", flush=True)


async def serve_http() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = demo.server.streamable_http_app(host="127.0.0.1")
    await _Announcing(uvicorn.Config(app, log_level="warning", lifespan="on"), sock).serve(sockets=[sock])


if __name__ == "__main__":
    demo.sent = _Outbox(Path(sys.argv[1]))
    if "--http" in sys.argv:
        anyio.run(serve_http)
    else:
        demo.server.run()

"""A raw JSON-RPC peer over a subprocess's pipes, for sending what an SDK client never would.

Every read and wait has a deadline, and `raw_process` stops the process through
tests.support.processes: a hung firewall fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from tests.support import processes

RECEIVE_SECONDS = 20.0
EXIT_SECONDS = 20.0

INITIALIZE = {
    "protocolVersion": "2025-11-25",
    "capabilities": {},
    "clientInfo": {"name": "raw", "version": "0"},
}


class RawPeer:
    """Line-delimited JSON-RPC over a process's stdin and stdout, every read with a deadline."""

    def __init__(self, process: Process) -> None:
        self.process = process
        assert process.stdout is not None and process.stdin is not None
        self.stdout = BufferedByteReceiveStream(process.stdout)

    async def send_line(self, line: bytes) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.send(line + b"\n")

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_line(json.dumps(message).encode())

    async def receive(self, seconds: float = RECEIVE_SECONDS) -> dict[str, Any]:
        with anyio.fail_after(seconds):
            return json.loads(await self.stdout.receive_until(b"\n", 10 * 1024 * 1024))

    async def reply_to(self, request_id: Any, seconds: float = RECEIVE_SECONDS) -> dict[str, Any]:
        """The next message answering request_id, skipping notifications and other replies."""
        with anyio.fail_after(seconds):
            while True:
                message = await self.receive(seconds)
                if "method" not in message and message.get("id") == request_id:
                    return message

    async def request(
        self, request_id: int, method: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})
        return await self.reply_to(request_id)

    async def call(
        self, request_id: int, tool: str, arguments: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await self.request(request_id, "tools/call", {"name": tool, "arguments": arguments or {}})

    async def handshake(self) -> None:
        assert "result" in await self.request(0, "initialize", INITIALIZE)
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    async def close_stdin(self) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.aclose()

    async def wait(self, seconds: float = EXIT_SECONDS) -> int:
        return await processes.wait(self.process, seconds)

    async def stderr_text(self, seconds: float = EXIT_SECONDS) -> str:
        """All of stderr: call once the process has exited (bounded all the same)."""
        assert self.process.stderr is not None
        return (await processes.read_all(self.process.stderr, seconds)).decode(errors="replace")


@asynccontextmanager
async def raw_process(command: list[str], *, cwd: Path | None = None) -> AsyncIterator[RawPeer]:
    """Start command with piped stdio in its own process group; on the way out it is stopped
    (stdin closed, SIGTERM, bounded wait) and killed with its whole tree if it does not exit."""
    async with processes.open_process(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
    ) as process:
        yield RawPeer(process)

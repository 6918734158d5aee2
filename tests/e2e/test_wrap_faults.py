"""`mcp-firewall wrap` as a real subprocess, driven over raw pipes to send what an SDK never would:
malformed JSON, invalid envelopes, oversized lines, a crashing server, a bad config.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from feature_suite import everything_command
from gateway import wrap_command

from tests.support.raw_client import raw_process

pytestmark = pytest.mark.anyio

LIMIT = 64 * 1024


def wrapper_command(tmp_path: Path, *extra: str) -> list[str]:
    # The classifier is not what these tests are about; loading it under load ate their deadlines.
    config = f'[limits]\nmax_message_bytes = {LIMIT}\n[detect]\nclassifier = "off"\n'
    return wrap_command(tmp_path, config, everything_command(), *extra)


async def test_malformed_and_oversized_messages_get_errors_and_the_relay_keeps_serving(tmp_path):
    async with raw_process(wrapper_command(tmp_path)) as wrapper:
        await wrapper.handshake()
        await wrapper.send_line(b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"')  # truncated JSON
        reply = await wrapper.receive()
        assert reply["id"] is None and reply["error"]["code"] == -32700

        await wrapper.send_line(b'{"jsonrpc": "2.0", "id": 2, "method": 17}')  # not a valid envelope
        reply = await wrapper.receive()
        assert reply["id"] == 2 and reply["error"]["code"] == -32600

        huge = {"name": "echo", "arguments": {"text": "x" * (LIMIT * 4)}}
        await wrapper.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": huge})
        reply = await wrapper.receive()
        assert reply["id"] == 3 and reply["error"]["code"] == -32011
        assert "exceeds the limit" in reply["error"]["message"]

        reply = await wrapper.request(4, "tools/call", {"name": "echo", "arguments": {"text": "still here"}})
        assert reply["id"] == 4 and reply["result"]["content"][0]["text"] == "still here"

        reply = await wrapper.request(5, "tools/call", {"name": "no_such_tool", "arguments": {}})
        assert (
            reply["result"]["isError"] is True
            and "firewall.unknown_tool" in reply["result"]["content"][0]["text"]
        )

        await wrapper.close_stdin()
        assert await wrapper.wait() == 0
        assert "malformed message from the client" in await wrapper.stderr_text()


async def test_oversized_result_from_the_server_is_refused_with_the_callers_id(tmp_path):
    async with raw_process(wrapper_command(tmp_path)) as wrapper:
        await wrapper.handshake()
        params = {"name": "echo", "arguments": {"text": "y" * (LIMIT - 1000)}}
        # The request fits; the server's reply (text echoed twice: content and structured) does not.
        reply = await wrapper.request(9, "tools/call", params)
        assert reply["id"] == 9 and reply["error"]["code"] == -32011
        reply = await wrapper.request(10, "tools/call", {"name": "echo", "arguments": {"text": "ok"}})
        assert reply["result"]["content"][0]["text"] == "ok"


async def test_server_crash_fails_the_pending_call_and_the_wrapper_exits_non_zero(tmp_path):
    async with raw_process(wrapper_command(tmp_path)) as wrapper:
        await wrapper.handshake()
        await wrapper.send(
            {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "crash", "arguments": {}}}
        )
        reply = await wrapper.receive()
        assert reply["id"] == 7 and reply["error"]["code"] == -32012 and "exited" in reply["error"]["message"]
        note = await wrapper.receive()
        assert note["method"] == "notifications/message" and note["params"]["level"] == "error"
        assert await wrapper.wait() == 1
        assert "the wrapped server exited" in await wrapper.stderr_text()


def test_bad_config_fails_at_start_naming_the_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[limits]\nmax_message_bytes = -1\n")
    command = [sys.executable, "-m", "firewall", "wrap", "--config", str(config), "--", "true"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "limits.max_message_bytes" in done.stderr and done.stdout == ""


def test_missing_server_command_is_a_clear_error(tmp_path):
    command = [sys.executable, "-m", "firewall", "wrap", "--", "/nonexistent/mcp-server"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "could not start the server" in done.stderr and done.stdout == ""

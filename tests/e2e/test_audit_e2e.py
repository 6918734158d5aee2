"""The audit log through the real `mcp-firewall wrap`: a decision whose record cannot be written
does not take effect, and an unusable audit path fails at start as a config error."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import anyio
import pytest
from feature_suite import everything_command, read_record, recorded_methods
from gateway import firewall_args
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

pytestmark = pytest.mark.anyio


def quick_config(tmp_path: Path) -> str:
    """No classifier: these tests are about the audit log, and loading the model takes seconds."""
    config = tmp_path / "fw.toml"
    config.write_text("[detect]\nclassifier = 'off'\n")
    return str(config)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
async def test_a_call_whose_record_cannot_be_written_is_refused_and_never_forwarded(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    # /dev/full: every write fails with ENOSPC, as on a full disk.
    args = firewall_args("wrap", "--config", quick_config(tmp_path), "--audit-log", "/dev/full")
    params = StdioServerParameters(
        command=args[0], args=[*args[1:], "--", *everything_command(record=record)]
    )
    with anyio.fail_after(60):
        async with Client(params, mode="legacy") as client:
            with pytest.raises(MCPError, match="audit log"):
                await client.call_tool("echo", {"text": "never logged"})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MCPDeprecationWarning)  # ping is legacy-only
                await client.send_ping()  # the wrapper keeps serving
    methods = recorded_methods(read_record(record))
    assert "ping" in methods and "tools/call" not in methods


@pytest.mark.parametrize("where", ["parent_is_a_file", "is_a_directory"])
def test_an_unusable_audit_path_is_a_config_error_naming_the_key(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("")
    path = tmp_path / "file" / "x.jsonl" if where == "parent_is_a_file" else tmp_path
    command = firewall_args(
        "wrap",
        "--config",
        quick_config(tmp_path),
        "--audit-log",
        str(path),
        "--",
        sys.executable,
        "-c",
        "pass",
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "audit.path" in done.stderr and str(path) in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""

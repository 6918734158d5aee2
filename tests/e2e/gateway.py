"""Start `mcp-firewall serve` (or `wrap`) as a real subprocess for end-to-end tests."""

from __future__ import annotations

import contextlib
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from feature_suite import Namespacing
from mcp import StdioServerParameters

from tests.support.processes import popen

TOKEN = "alice-token-0123456789abcdef"
OTHER_TOKEN = "bob-token-0123456789abcdefgh"


def namespaced(server: str) -> Namespacing:
    """The gateway's naming: tools and prompts SERVER__name, URIs SERVER+uri."""
    return Namespacing(
        tool=lambda name: f"{server}__{name}",
        prompt=lambda name: f"{server}__{name}",
        uri=lambda uri: f"{server}+{uri}",
        uri_template=lambda template: f"{server}+{template}",
    )


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f"'{item}'" for item in items) + "]"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def firewall_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "firewall", *args]


@contextlib.contextmanager
def http_gateway(config: Path, port: int, audit: Path, timeout: float = 20.0) -> Iterator[str]:
    """Run the gateway's HTTP front; yields its URL once it accepts connections.

    On exit it is sent SIGTERM and given 10 s; past that it is killed with its servers, and fails.
    """
    command = firewall_args("serve", "--config", str(config), "--audit-log", str(audit))
    with popen(command, stop_timeout=10) as process:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the gateway exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("the gateway did not start listening") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"


RAW_SERVER = [sys.executable, str(Path(__file__).parents[1] / "support" / "raw_server.py")]
"""tests/support/raw_server.py: the fault-injecting server (see its docstring)."""


def wrap_command(directory: Path, config: str, server: list[str], *options: str) -> list[str]:
    """`mcp-firewall wrap` with `config` (TOML text) written to directory/fw.toml, then `options`,
    then `-- server`."""
    config_file = directory / "fw.toml"
    config_file.write_text(config)
    return firewall_args("wrap", "--config", str(config_file), *options, "--", *server)


DEMO_SERVER = [sys.executable, "-m", "firewall.tools.demo.server"]


def wrapped_server(
    tmp_path: Path, config: str, server: list[str], name: str
) -> tuple[StdioServerParameters, Path]:
    """SDK parameters that launch `server` behind `mcp-firewall wrap` with this config; and the audit log."""
    config_file, audit = tmp_path / "fw.toml", tmp_path / "audit.jsonl"
    config_file.write_text(config)
    args = firewall_args(
        "wrap", "--config", str(config_file), "--audit-log", str(audit), "--name", name, "--", *server
    )
    return StdioServerParameters(command=args[0], args=args[1:]), audit

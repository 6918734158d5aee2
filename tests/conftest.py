"""Shared pytest setup: anyio tests run on asyncio; no test outlives its subprocess deadline."""

import os
from collections.abc import Iterator

import mcp.client.stdio as sdk_stdio
import pytest

from tests.support.processes import SubprocessWatchdog

TEST_DEADLINE = float(os.environ.get("MCP_FIREWALL_TEST_DEADLINE", "400"))
"""Seconds after which a test's subprocesses are killed and the test fails: the backstop behind
the per-wait deadlines (tests/support/processes.py), above the longest of them (300 s)."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _subprocess_deadline() -> Iterator[None]:
    with SubprocessWatchdog(TEST_DEADLINE) as watchdog:
        yield
    if watchdog.fired:
        pytest.fail(
            f"the test ran past {TEST_DEADLINE}s; its subprocesses were killed: " + "; ".join(watchdog.killed)
        )


@pytest.fixture(autouse=True)
def _isolated_state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the real home's state (the pins file, approval discovery files): XDG_STATE_HOME
    is a fresh folder per test, also for the processes the SDK's stdio client starts (it passes them
    only a few variables, which would otherwise leave them the real $HOME/.local/state)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    inherited = [*sdk_stdio.DEFAULT_INHERITED_ENV_VARS, "XDG_STATE_HOME"]
    monkeypatch.setattr(sdk_stdio, "DEFAULT_INHERITED_ENV_VARS", inherited)

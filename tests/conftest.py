"""Shared pytest setup: anyio tests run on asyncio; no test outlives its subprocess deadline."""

import os
from collections.abc import Iterator

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

"""Fixtures for the adapter tests: a firewall config without the classifier (fast; one test
turns it on), and where the demo inbox server records what it sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from firewall.config import FirewallConfig, load_config


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def config() -> FirewallConfig:
    return load_config(None, **{"detect.classifier": "off"})


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    """Where the inbox server writes each mail it sends (one JSON line each)."""
    return tmp_path / "sent.jsonl"

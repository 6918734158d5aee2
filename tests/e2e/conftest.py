"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from feature_suite import everything_http


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def everything_http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh everything server over streamable HTTP: (url, record file).

    Per test, so that each record file holds one client's traffic (JSON-RPC ids are
    only unique per connection).
    """
    record = tmp_path / "record.jsonl"
    with everything_http(record=record) as url:
        yield url, record

"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from feature_suite import everything_http


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def everything_http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The everything server over streamable HTTP: (url, record file). Shared by a module's tests."""
    record = tmp_path_factory.mktemp("everything-http") / "record.jsonl"
    with everything_http(record=record) as url:
        yield url, record

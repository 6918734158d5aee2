"""The feature suite run directly against the everything server (no relay in between).

These prove the suite and the server agree, in both protocol eras, over stdio,
streamable HTTP and in-process, before the same suite is pointed at a relay.
"""

from __future__ import annotations

from pathlib import Path

import httpx2
import mcp_types as types
import pytest
from everything_server import EverythingServer
from feature_suite import (
    Feature,
    FeatureReport,
    RecordedMessage,
    cancellations_of,
    cancelled_slow_call,
    everything_stdio,
    exercise_all_features,
    read_record,
    recorded_methods,
)
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

pytestmark = pytest.mark.anyio

LEGACY_ONLY_METHODS = {
    "initialize",
    "notifications/initialized",
    "logging/setLevel",
    "ping",
    "resources/subscribe",
    "resources/unsubscribe",
    "notifications/roots/list_changed",
}
COMMON_METHODS = {
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "completion/complete",
}


def assert_legacy(report: FeatureReport, records: list[RecordedMessage]) -> None:
    assert report.era == "legacy"
    assert report.protocol_version == HANDSHAKE_PROTOCOL_VERSIONS[-1]
    assert not report.not_applicable, report.not_applicable
    missing = (COMMON_METHODS | LEGACY_ONLY_METHODS) - set(recorded_methods(records))
    assert not missing, f"never reached the server: {missing}"
    slow = cancelled_slow_call(records, report)
    assert cancellations_of(records, slow), (
        "notifications/cancelled for the slow call did not reach the server"
    )


def assert_modern(report: FeatureReport, records: list[RecordedMessage], *, cancel_frame: bool) -> None:
    """`cancel_frame`: whether the client cancels with a notifications/cancelled frame.

    At 2026-07-28 it does on stream transports; on streamable HTTP closing the request's
    response stream is the cancellation, and no frame is sent.
    """
    assert report.era == "modern"
    assert report.protocol_version == "2026-07-28"
    assert set(report.not_applicable) == {
        Feature.CLIENT_PING,
        Feature.SERVER_PING,
        Feature.SERVER_CANCELLATION,
        Feature.ROOTS_LIST_CHANGED,
        Feature.STANDALONE_STREAM,
    }
    assert report.exercised[Feature.SAMPLING] == "input_required"
    missing = (COMMON_METHODS | {"subscriptions/listen"}) - set(recorded_methods(records))
    assert not missing, f"never reached the server: {missing}"
    slow = cancelled_slow_call(records, report)
    assert slow.params is not None and "io.modelcontextprotocol/protocolVersion" in slow.params["_meta"]
    assert bool(cancellations_of(records, slow)) is cancel_frame


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_stdio(mode: str, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    report = await exercise_all_features(everything_stdio(record=record, name="direct"), mode=mode)
    records = read_record(record)
    # A pinned version skips server/discover, so the client never learns the server's name.
    assert report.server_name == (None if mode == "2026-07-28" else "direct")
    if mode == "legacy":
        assert_legacy(report, records)
        assert records[0].method == "initialize"
    else:
        assert_modern(report, records, cancel_frame=True)
        assert not LEGACY_ONLY_METHODS & set(recorded_methods(records))
        assert (records[0].method == "server/discover") is (mode == "auto")


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_in_process(mode: str) -> None:
    """No transport at all: legacy runs over memory streams, 2026-07-28 over direct dispatch."""
    report = await exercise_all_features(EverythingServer().build(), mode=mode)
    assert report.era == ("legacy" if mode == "legacy" else "modern")
    assert not report.transport_errors, report.transport_errors


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_streamable_http(mode: str, everything_http_server: tuple[str, Path]) -> None:
    url, record = everything_http_server
    report = await exercise_all_features(url, mode=mode)
    records = read_record(record)
    if mode == "legacy":
        assert_legacy(report, records)
    else:
        assert_modern(report, records, cancel_frame=False)
        assert ("server/discover" in recorded_methods(records)) is (mode == "auto")


async def test_streamable_http_custom_transport(everything_http_server: tuple[str, Path]) -> None:
    """The suite takes any Transport, e.g. one carrying extra HTTP headers."""
    url, _ = everything_http_server
    timeout = httpx2.Timeout(30, read=300)
    async with httpx2.AsyncClient(headers={"x-feature-suite": "1"}, timeout=timeout) as http:
        report = await exercise_all_features(streamable_http_client(url, http_client=http), mode="legacy")
    assert report.era == "legacy"


@pytest.mark.parametrize("version", HANDSHAKE_PROTOCOL_VERSIONS)
async def test_every_handshake_version(version: str, everything_http_server: tuple[str, Path]) -> None:
    """The server negotiates each handshake-era version a client proposes."""
    url, record = everything_http_server
    params = types.InitializeRequestParams(
        protocol_version=version,
        capabilities=types.ClientCapabilities(),
        client_info=types.Implementation(name=f"handshake-{version}", version="1"),
    )
    async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
        result = await session.send_request(types.InitializeRequest(params=params), types.InitializeResult)
        assert result.protocol_version == version
        session.adopt(result)
        await session.send_notification(types.InitializedNotification())
        echo = await session.call_tool("echo", {"text": version})
    assert [block.text for block in echo.content if isinstance(block, types.TextContent)] == [version]
    initializes = [r for r in read_record(record) if r.method == "initialize"]
    assert version in [(r.params or {}).get("protocolVersion") for r in initializes]

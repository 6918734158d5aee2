"""The MCP SDK names the firewall needs that the SDK keeps in private modules, in one place.

mcp 2.x types its transports' streams with protocols from `mcp.shared._stream_protocols` and
builds its HTTP clients with `mcp.shared._httpx_utils.create_mcp_http_client`, and exports
neither from a public module. Every other module of the firewall (and its tests) imports them
from here, so an SDK release that moves them breaks one import, and
tests/unit/proxy/test_sdk.py, which pins the SDK versions where these names hold.
"""

from __future__ import annotations

from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared._stream_protocols import ReadStream, WriteStream
from mcp.shared.message import SessionMessage

__all__ = ["SUPPORTED_SDK", "ReadStream", "Streams", "WriteStream", "create_mcp_http_client"]

SUPPORTED_SDK = ">=2.3,<3"
"""The mcp versions these private names are known to hold in: pyproject.toml's requirement."""

Streams = tuple[ReadStream[SessionMessage | Exception], WriteStream[SessionMessage]]
"""A transport's pair of streams, as the SDK's transports yield them (its TransportStreams): what
the peer sent (or an exception for what could not be parsed), and where to send to it."""

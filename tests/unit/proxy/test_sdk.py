"""firewall/proxy/sdk.py: the SDK's private names hold for every SDK version the project accepts."""

from __future__ import annotations

import importlib
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from firewall.proxy import sdk

PYPROJECT = Path(__file__).parents[3] / "pyproject.toml"

WRAPPED = {
    "ReadStream": "mcp.shared._stream_protocols",
    "WriteStream": "mcp.shared._stream_protocols",
    "create_mcp_http_client": "mcp.shared._httpx_utils",
}
"""Each name sdk.py re-exports, and the private SDK module it comes from."""


def _mcp_requirement() -> Requirement:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (requirement,) = [r for r in map(Requirement, dependencies) if r.name == "mcp"]
    return requirement


def test_the_pinned_range_is_the_projects_dependency_range() -> None:
    assert SpecifierSet(sdk.SUPPORTED_SDK) == _mcp_requirement().specifier


def test_the_installed_sdk_is_in_the_pinned_range() -> None:
    assert version("mcp") in SpecifierSet(sdk.SUPPORTED_SDK)


@pytest.mark.parametrize("name", sorted(WRAPPED))
def test_each_wrapped_name_is_the_sdks_own(name: str) -> None:
    module = importlib.import_module(WRAPPED[name])
    assert getattr(sdk, name) is getattr(module, name)


def test_every_export_is_a_wrapped_name_or_pinned_here() -> None:
    assert set(sdk.__all__) == {*WRAPPED, "Streams", "SUPPORTED_SDK"}


def test_streams_is_the_pair_the_sdks_transports_yield() -> None:
    from mcp.client._transport import TransportStreams

    assert sdk.Streams == TransportStreams


@pytest.mark.anyio
async def test_the_http_client_factory_takes_the_headers_the_firewall_passes() -> None:
    async with sdk.create_mcp_http_client(headers={"Authorization": "Bearer t"}) as client:
        assert client.headers["Authorization"] == "Bearer t"

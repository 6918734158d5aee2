"""Capped line framing: oversized lines are refused without being buffered, ids recovered from the head."""

import json

import anyio
import pytest
from mcp_types import jsonrpc_message_adapter

from firewall.proxy import wire
from firewall.proxy.framing import OVERSIZED, CappedLines, describe_bad_message, leading_id

pytestmark = pytest.mark.anyio


def source(chunks):
    items = list(chunks)

    async def receive() -> bytes:
        await anyio.lowlevel.checkpoint()
        return items.pop(0) if items else b""

    return receive


async def test_lines_pass_and_an_oversized_line_becomes_a_marker_with_its_id():
    big = b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"x":"' + b"a" * 5000 + b'"}}\n'
    chunks = [b'{"a":1}\n{"b"', b":2}\n", *[big[i : i + 700] for i in range(0, len(big), 700)], b'{"c":3}\n']
    lines = [line async for line in CappedLines(source(chunks), limit=1024)]
    assert lines[0] == '{"a":1}' and lines[1] == '{"b":2}' and lines[3] == '{"c":3}'
    marker = json.loads(lines[2])
    assert marker[OVERSIZED] == len(big) - 1 and marker["id"] == 9


async def test_oversized_buffer_never_grows_past_limit_plus_one_chunk():
    seen = []
    chunks = [b"x" * 1000 for _ in range(50)] + [b"\n"]
    lines = CappedLines(source(chunks), limit=2000)

    async for line in lines:
        seen.append(line)
        assert len(lines._buffer) <= 3000
    assert json.loads(seen[0])[OVERSIZED] == 50_000


def test_marker_is_answered_as_too_large_with_the_request_id():
    marker = json.dumps({OVERSIZED: 10, "limit": 5, "id": "abc"})
    with pytest.raises(Exception) as info:
        jsonrpc_message_adapter.validate_json(marker, by_name=False)
    bad = describe_bad_message(info.value)
    assert (bad.id, bad.code) == ("abc", wire.MESSAGE_TOO_LARGE)


def test_leading_id_ignores_nested_ids():
    assert leading_id(b'{"jsonrpc":"2.0","id":42,"method":"x"') == 42
    assert leading_id(b'{"method":"x","params":{"id":9}') is None

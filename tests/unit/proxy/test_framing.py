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


def test_a_leading_id_that_is_not_json_is_none():
    assert leading_id(b'{"id":"\\x"}') is None  # an escape JSON does not know
    assert leading_id(b'{"id":"abc"') == "abc"


async def test_blank_lines_are_skipped_and_a_last_line_without_newline_is_kept():
    lines = [line async for line in CappedLines(source([b"\n  \n", b'{"a":1}\n', b'{"b":2}']), limit=100)]
    assert lines == ['{"a":1}', '{"b":2}']


async def test_an_oversized_last_line_without_newline_is_still_a_marker():
    lines = [line async for line in CappedLines(source([b"y" * 300]), limit=100)]
    assert json.loads(lines[0])[OVERSIZED] == 300 and len(lines) == 1


async def test_a_source_that_fails_is_the_end_of_the_lines():
    async def broken() -> bytes:
        raise anyio.BrokenResourceError

    assert [line async for line in CappedLines(broken, limit=100)] == []


async def test_close_ends_the_lines_even_while_a_read_is_blocked():
    started = anyio.Event()

    async def blocked() -> bytes:
        started.set()
        await anyio.sleep_forever()
        raise AssertionError

    lines = CappedLines(blocked, limit=100)
    seen: list[str] = []

    async def read_all() -> None:
        seen.extend([line async for line in lines])

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(read_all)
            await started.wait()
            lines.close()
    assert seen == []
    assert [line async for line in lines] == []  # closed: nothing more is read


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            b'{"jsonrpc":"2.0","id":true,"method":"tools/call","params":{"name":"x"}}',
            "invalid request id true",
        ),
        (b'{"jsonrpc":"2.0","id":1.5,"method":"ping"}', "invalid request id 1.5"),
        (b'{"jsonrpc":"2.0","id":null,"method":5}', "invalid request id null"),
    ],
)
async def test_with_strict_ids_an_id_that_is_neither_integer_nor_string_is_refused(line, reason):
    (marker,) = [text async for text in CappedLines(source([line + b"\n"]), limit=1000, strict_ids=True)]
    with pytest.raises(Exception) as info:
        jsonrpc_message_adapter.validate_json(marker, by_name=False)
    bad = describe_bad_message(info.value)
    assert bad.id is None and bad.code == wire.INVALID_REQUEST and reason in bad.reason
    original = json.loads(line)
    assert bad.method == (original["method"] if isinstance(original["method"], str) else None)
    assert bad.params == original.get("params")


@pytest.mark.parametrize(
    "line",
    [
        b'{"jsonrpc":"2.0","id":7,"method":"ping"}',
        b'{"jsonrpc":"2.0","id":"7","method":"ping"}',
        b'["id"]',
        b'{"id": not json',
        b'{"method":"notifications/x","params":{"id":true}}',
    ],
)
async def test_with_strict_ids_other_lines_pass_as_they_are(line):
    lines = [text async for text in CappedLines(source([line + b"\n"]), limit=1000, strict_ids=True)]
    assert lines == [line.decode()]


def test_an_envelope_that_fails_validation_is_an_invalid_request_with_its_id_and_method():
    with pytest.raises(Exception) as info:
        jsonrpc_message_adapter.validate_json('{"jsonrpc":"1.0","id":4,"method":"ping"}', by_name=False)
    bad = describe_bad_message(info.value)
    assert (bad.id, bad.code, bad.method) == (4, wire.INVALID_REQUEST, "ping")


def test_what_is_not_json_at_all_is_a_parse_error():
    with pytest.raises(Exception) as info:
        jsonrpc_message_adapter.validate_json("{not json", by_name=False)
    bad = describe_bad_message(info.value)
    assert bad.id is None and bad.code == wire.PARSE_ERROR
    assert describe_bad_message(ValueError("x")).reason == "parse error: ValueError"

"""Every server-to-agent channel is inspected (docs/channels.md), through the real `mcp-firewall
wrap` and the stdio gateway in front of tests/support/raw_server.py, which plants a payload in one
channel at a time (`--inject CHANNEL --payload tags|image|benign`).

The triggers are deterministic detectors' (hidden tag-character text, a markdown image to a host
that is not allowlisted; the classifier is off), so the tests do not depend on the model. For each
channel: the agent never receives the planted payload, what it gets instead is the redacted (or
dropped) form, and an audit record names the channel's method and the detector's rule. Each has a
benign twin: the same channel with ordinary content arrives unchanged and is allowed.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gateway import RAW_SERVER, wrap_command

from firewall.core.payloads import REDACTION_MARK
from tests.support.raw_client import INITIALIZE, RawPeer, raw_process
from tests.support.raw_server import HIDDEN, PAYLOADS

pytestmark = pytest.mark.anyio

CONFIG = '[detect]\nclassifier = "off"\n[limits]\nrequest_timeout_seconds = 10\n'
RULES = {"tags": "detect.unicode.tag_characters", "image": "detect.exfil.markdown_image"}


class Peer(RawPeer):
    """A raw peer that keeps every message it receives, to prove what never reached the agent."""

    def __init__(self, peer: RawPeer) -> None:
        super().__init__(peer.process)
        self.stdout = peer.stdout
        self.seen: list[dict[str, Any]] = []

    async def receive(self, seconds: float = 20.0) -> dict[str, Any]:
        message = await super().receive(seconds)
        self.seen.append(message)
        return message

    async def until(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while True:
            message = await self.receive()
            if predicate(message):
                return message


@dataclass(frozen=True)
class Names:
    """What the agent calls things: the server's own names (wrap) or the gateway's."""

    gateway: bool

    def tool(self, name: str) -> str:
        return f"raw__{name}" if self.gateway else name

    def uri(self, uri: str) -> str:
        return f"raw+{uri}" if self.gateway else uri


def prose(payload: str) -> str:
    """The payload's prose as the agent must see it (the planted span redacted)."""
    text = PAYLOADS[payload][0]
    if payload == "tags":
        return text.replace(HIDDEN, REDACTION_MARK)
    if payload == "image":
        return text[: text.index("![")] + REDACTION_MARK
    return text


def value(payload: str) -> str:
    """The payload's short form (names, URIs, enum values) as the agent must see it."""
    return PAYLOADS[payload][1].replace(HIDDEN, REDACTION_MARK)


def result_of(reply: dict[str, Any]) -> dict[str, Any]:
    assert "result" in reply, reply
    return reply["result"]


def decoded(blob: str) -> str:
    return base64.b64decode(blob).decode()


# Each exchange drives one channel and returns what the agent was shown where the payload was
# planted; `expected` says what that must be; `audited` the (method, kind) of its decision.
Exchange = Callable[[Peer, Names, dict[str, Any]], Awaitable[list[Any]]]


async def initialize(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    if names.gateway:  # the gateway merges instructions ([server] prefix) and has its own serverInfo
        assert init["instructions"].startswith("[raw] ")
        return [init["instructions"].removeprefix("[raw] "), init["instructions"].removeprefix("[raw] ")]
    return [init["instructions"], init["serverInfo"]["title"]]


async def schema(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    tools = result_of(await peer.request(1, "tools/list"))["tools"]
    lookup = next(t for t in tools if t["name"] == names.tool("lookup"))
    kind = lookup["inputSchema"]["properties"]["kind"]
    found = lookup["outputSchema"]["properties"]["found"]
    return [
        lookup["description"],
        kind["description"],
        found["description"],
        kind["enum"][1],
        kind["default"],
    ]


async def prompts(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    (prompt,) = result_of(await peer.request(1, "prompts/list"))["prompts"]
    return [prompt["description"], prompt["arguments"][0]["description"]]


async def resources(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    (resource,) = result_of(await peer.request(1, "resources/list"))["resources"]
    return [resource["description"], resource["name"]]


async def templates(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    (template,) = result_of(await peer.request(1, "resources/templates/list"))["resourceTemplates"]
    return [template["description"]]


async def resource_link(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    link = result_of(await peer.call(1, names.tool("links")))["content"][1]
    return [link["name"], link["uri"].removeprefix("file:///docs/")]


async def blob(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    embedded = result_of(await peer.call(1, names.tool("blob")))["content"][0]["resource"]
    read = result_of(await peer.request(2, "resources/read", {"uri": names.uri("file:///notes.txt")}))
    return [decoded(embedded["blob"]), decoded(read["contents"][0]["blob"])]


async def meta(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    result = result_of(await peer.call(1, names.tool("meta")))
    return [result["_meta"]["source"], result["content"][0]["note"]]


async def elicitation(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    await peer.send(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": names.tool("ask")}}
    )
    request = await peer.until(lambda m: m.get("method") == "elicitation/create")
    kind = request["params"]["requestedSchema"]["properties"]["kind"]
    answer = {"action": "accept", "content": {"kind": "a"}}
    await peer.send({"jsonrpc": "2.0", "id": request["id"], "result": answer})
    assert result_of(await peer.reply_to(1))["content"][0]["text"] == "answered: accept"
    return [kind["enum"][1], kind["default"]]


async def task(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    params = {"name": "lookup", "arguments": {}, "task": {"ttl": 60000}}
    await peer.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
    created = result_of(await peer.reply_to(1))["task"]
    status = await peer.until(lambda m: m.get("method") == "notifications/tasks/status")
    got = result_of(await peer.request(2, "tasks/get", {"taskId": created["taskId"]}))
    listed = result_of(await peer.request(3, "tasks/list"))["tasks"][0]
    payload = result_of(await peer.request(4, "tasks/result", {"taskId": created["taskId"]}))
    messages = [created, status["params"], got, listed]
    return [m["statusMessage"] for m in messages] + [payload["content"][0]["text"]]


async def error(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    reply = await peer.call(1, names.tool("fail"))
    assert reply["error"]["code"] == -32000, reply
    return [reply["error"]["message"], reply["error"]["data"]["detail"]]


async def progress(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    params = {"name": names.tool("progress"), "arguments": {}, "_meta": {"progressToken": "p1"}}
    await peer.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
    await peer.reply_to(1)
    notes = [m for m in peer.seen if m.get("method") == "notifications/progress"]
    assert [n["params"]["progressToken"] for n in notes] == ["p1"]
    return [n["params"]["message"] for n in notes]


async def log(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    await peer.call(1, names.tool("log"))
    notes = [m["params"]["data"] for m in peer.seen if m.get("method") == "notifications/message"]
    assert len(notes) == 2, notes
    return [notes[0], notes[1]["detail"]]


async def completion(peer: Peer, names: Names, init: dict[str, Any]) -> list[Any]:
    params = {
        "ref": {"type": "ref/prompt", "name": names.tool("summary")},
        "argument": {"name": "topic", "value": "a"},
    }
    return result_of(await peer.request(1, "completion/complete", params))["completion"]["values"]


@dataclass(frozen=True)
class Channel:
    exchange: Exchange
    expected: Callable[[str], list[Any]]
    audited: tuple[tuple[str, str], ...]
    """(method, kind) of the decisions that must name the payload's rule."""
    gateway: bool = True
    """Whether the channel exists through the gateway (it does not route tasks)."""


def _p(n: int) -> Callable[[str], list[Any]]:
    return lambda payload: [prose(payload)] * n


CHANNELS = {
    "initialize": Channel(initialize, _p(2), (("initialize", "content"),)),
    "schema": Channel(schema, lambda p: [prose(p)] * 3 + [value(p)] * 2, (("tools/list", "tool_list"),)),
    "prompts": Channel(prompts, _p(2), (("prompts/list", "content"),)),
    "resources": Channel(resources, lambda p: [prose(p), value(p)], (("resources/list", "content"),)),
    "templates": Channel(templates, _p(1), (("resources/templates/list", "content"),)),
    "resource_link": Channel(resource_link, lambda p: [value(p)] * 2, (("tools/call", "tool_result"),)),
    "blob": Channel(blob, _p(2), (("tools/call", "tool_result"), ("resources/read", "content"))),
    "meta": Channel(meta, lambda p: [prose(p), value(p)], (("tools/call", "tool_result"),)),
    "elicitation": Channel(elicitation, lambda p: [value(p)] * 2, (("elicitation/create", "content"),)),
    "task": Channel(
        task,
        _p(5),
        (
            ("tools/call", "content"),
            ("notifications/tasks/status", "content"),
            ("tasks/get", "content"),
            ("tasks/list", "content"),
            ("tasks/result", "tool_result"),
        ),
        gateway=False,
    ),
    "error": Channel(error, _p(2), (("tools/call", "content"),)),
    "progress": Channel(progress, _p(1), (("notifications/progress", "content"),)),
    "log": Channel(log, _p(2), (("notifications/message", "content"),)),
    "completion": Channel(
        completion,
        lambda p: ["alpha"] if p == "tags" else ["alpha", value(p)],
        (("completion/complete", "content"),),
    ),
}
PROSE_CHANNELS = ["initialize", "prompts", "blob", "task", "error", "progress", "log"]


def wrap_injected(tmp_path: Path, channel: str, payload: str) -> list[str]:
    server = [*RAW_SERVER, "--inject", channel, "--payload", payload]
    audit = str(tmp_path / "audit.jsonl")
    return wrap_command(tmp_path, CONFIG, server, "--audit-log", audit, "--name", "raw")


def gateway_command(tmp_path: Path, channel: str, payload: str) -> list[str]:
    server = [*RAW_SERVER, "--inject", channel, "--payload", payload]
    config = tmp_path / "gw.toml"
    config.write_text(
        CONFIG + f'[gateway]\ntransport = "stdio"\n[servers.raw]\ncommand = {json.dumps(server)}\n'
    )
    audit = str(tmp_path / "audit.jsonl")
    return [sys.executable, "-m", "firewall", "serve", "--config", str(config), "--audit-log", audit]


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def run(tmp_path: Path, channel: str, payload: str, gateway: bool) -> tuple[list[Any], Peer]:
    command = (gateway_command if gateway else wrap_injected)(tmp_path, channel, payload)
    async with raw_process(command) as raw:
        peer = Peer(raw)
        init = result_of(await peer.request(0, "initialize", INITIALIZE))
        await peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        shown = await CHANNELS[channel].exchange(peer, Names(gateway), init)
        await peer.close_stdin()
        assert await peer.wait() == 0
        stderr = await peer.stderr_text()
    assert "Traceback" not in stderr, stderr
    return shown, peer


def cases(payloads: list[str]) -> list[Any]:
    out = []
    for channel, spec in CHANNELS.items():
        for front in ("wrap", "gateway") if spec.gateway else ("wrap",):
            for payload in payloads:
                if payload != "image" or (channel in PROSE_CHANNELS and front == "wrap"):
                    out.append(pytest.param(channel, payload, front, id=f"{front}-{channel}-{payload}"))
    return out


@pytest.mark.parametrize(("channel", "payload", "front"), cases(["tags", "image"]))
async def test_a_payload_planted_in_a_channel_never_reaches_the_agent(tmp_path, channel, payload, front):
    shown, peer = await run(tmp_path, channel, payload, front == "gateway")
    assert shown == CHANNELS[channel].expected(payload)
    everything = json.dumps(peer.seen, ensure_ascii=False)
    assert HIDDEN not in everything and "evil.example" not in everything
    records = audit(tmp_path)
    for method, kind in CHANNELS[channel].audited:
        named = [
            r
            for r in records
            if r["method"] == method and r["kind"] == kind and RULES[payload] in r["rule_ids"]
        ]
        assert named and {r["decision"] for r in named} == {"redact"}, (method, kind, records)


@pytest.mark.parametrize(("channel", "payload", "front"), cases(["benign"]))
async def test_ordinary_content_in_every_channel_passes_unchanged(tmp_path, channel, payload, front):
    shown, _ = await run(tmp_path, channel, payload, front == "gateway")
    assert shown == CHANNELS[channel].expected(payload)
    records = audit(tmp_path)
    assert {r["decision"] for r in records} == {"allow"}, records
    for method, kind in CHANNELS[channel].audited:
        assert any(r["method"] == method and r["kind"] == kind for r in records), (method, kind)

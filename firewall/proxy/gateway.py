"""What a relay fronting several servers adds: names, a merged handshake and lists, routing by name.

The gateway namespaces what each server offers (naming.py), answers the handshake and the lists
itself by asking every server and merging their answers, and routes every other request to the
server its name or URI belongs to. It decides nothing: each server's part of a merged answer is
decided by the relay (the `Parts` it is handed), on the same paths as in `wrap`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
from mcp_types import (
    INVALID_PARAMS,
    UNSUPPORTED_PROTOCOL_VERSION,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCNotification,
    JSONRPCRequest,
)
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, KNOWN_PROTOCOL_VERSIONS

from firewall import __version__
from firewall.core.errors import ServerDown
from firewall.proxy import wire
from firewall.proxy.link import LISTS, Link, own_request_meta
from firewall.proxy.naming import Naming

log = logging.getLogger(__name__)

_FANNED_OUT = frozenset({"initialize", "logging/setLevel", "ping", *LISTS})
"""Requests the gateway answers itself, after asking every server that is up."""
_NAME_FIELDS = {"tools": "name", "prompts": "name", "resources": "uri"}
"""The field that names a list entry (resource templates: uriTemplate)."""


class Parts(Protocol):
    """The relay's decisions on each server's part of a merged answer."""

    async def shown_handshake(self, server: str, result: dict[str, Any]) -> dict[str, Any]:
        """A server's initialize result as the agent may see it."""
        ...

    async def shown_lists(
        self, method: str, results: dict[str, list[dict[str, Any]]]
    ) -> dict[str, list[Any]]:
        """Each server's full list as the agent may see it; a server whose list is refused is left out."""
        ...


@dataclass(frozen=True)
class Forward:
    """Send the agent's request on to one server, with these params (its names unqualified)."""

    link: Link
    params: dict[str, Any]


class Gateway:
    """Several servers behind one: routing by qualified name, fan-out, merging, renaming replies."""

    def __init__(self, naming: Naming, links: dict[str, Link]) -> None:
        self.naming = naming
        self.links = links

    # -- agent -> servers --------------------------------------------------------------------------

    def fans_out(self, method: str) -> bool:
        """Whether the gateway answers `method` itself, from every server's answer (fan_out)."""
        return method in _FANNED_OUT

    def route_tool(self, qualified: Any) -> tuple[Link, str] | None:
        """The server and unqualified name a qualified tool name belongs to; None if no server's."""
        split = self.naming.split_name(qualified) if isinstance(qualified, str) else None
        return None if split is None else (self.links[split[0]], split[1])

    def route(self, message: JSONRPCRequest) -> Forward | JSONRPCError:
        """Where a request that is not fanned out goes, or the error that answers it instead."""
        method, params = message.method, message.params or {}
        if method == "server/discover":
            # The gateway merges sessions with the initialize handshake; SDK clients in "auto" mode
            # fall back to it on this error because its data lists only handshake versions.
            data = {
                "supported": list(HANDSHAKE_PROTOCOL_VERSIONS),
                "requested": params.get("protocolVersion"),
            }
            return wire.error(
                message.id, UNSUPPORTED_PROTOCOL_VERSION, "the gateway speaks the initialize handshake", data
            )
        if method == "prompts/get":
            return self._routed(message, params, "name")
        if method in ("resources/read", "resources/subscribe", "resources/unsubscribe"):
            return self._routed(message, params, "uri")
        if method == "completion/complete":
            return self._completion(message, params)
        return wire.error(message.id, wire.METHOD_NOT_FOUND, f"the gateway cannot route method {method!r}")

    def _split(self, key: str, value: Any) -> tuple[str, str] | None:
        if not isinstance(value, str):
            return None
        return self.naming.split_name(value) if key == "name" else self.naming.split_uri(value)

    def _routed(self, message: JSONRPCRequest, params: dict[str, Any], key: str) -> Forward | JSONRPCError:
        target = self._split(key, params.get(key))
        if target is None:
            return wire.error(message.id, INVALID_PARAMS, f"unknown {key} {params.get(key)!r}")
        server, name = target
        return Forward(self.links[server], {**params, key: name})

    def _completion(self, message: JSONRPCRequest, params: dict[str, Any]) -> Forward | JSONRPCError:
        ref = params.get("ref") or {}
        if not isinstance(ref, dict):
            return wire.error(message.id, INVALID_PARAMS, "params.ref must be an object")
        key = "name" if ref.get("type") == "ref/prompt" else "uri"
        target = self._split(key, ref.get(key))
        if target is None:
            return wire.error(message.id, INVALID_PARAMS, f"unknown completion ref {ref!r}")
        server, name = target
        return Forward(self.links[server], {**params, "ref": {**ref, key: name}})

    async def fan_out(self, message: JSONRPCRequest, parts: Parts) -> JSONRPCMessage:
        """Ask every server that is up, then answer for all of them: one initialize result (a
        server that fails it is down from then on), one merged list, or an empty result."""
        meta = own_request_meta(message.params)
        method = message.method
        results: dict[str, Any] = {}

        async def one(link: Link) -> None:
            try:
                if method in LISTS:
                    results[link.name] = await link.list_all(method, meta)
                else:
                    results[link.name] = await link.request(method, message.params)
            except ServerDown as exc:
                log.warning("%s: %s failed: %s", link.name, method, exc)
                if method == "initialize":
                    link.up = False

        async with anyio.create_task_group() as tg:
            for link in self.links.values():
                if link.up:
                    tg.start_soon(one, link)
        if method == "initialize":
            if not results:
                return wire.error(message.id, wire.SERVER_UNAVAILABLE, "no server could be initialized")
            for server, result in list(results.items()):
                results[server] = await parts.shown_handshake(server, result)
            return wire.response(message.id, merge_initialize(results))
        if method in LISTS:
            return wire.response(
                message.id, self.merge_lists(method, await parts.shown_lists(method, results))
            )
        return wire.response(message.id, {})

    # -- servers -> agent --------------------------------------------------------------------------

    def merge_lists(self, method: str, shown: dict[str, list[Any]]) -> dict[str, Any]:
        """One */list result from every server's shown list, each entry's name qualified;
        entries without a usable name are dropped."""
        key = LISTS[method]
        merged: list[dict[str, Any]] = []
        for server, items in shown.items():
            for item in items:
                named = self._namespace_item(server, key, item)
                if named is None:
                    log.warning("server %s listed a malformed %s entry; dropped: %r", server, key, item)
                else:
                    merged.append(named)
        return {key: merged}

    def _namespace_item(self, server: str, key: str, item: Any) -> dict[str, Any] | None:
        field = _NAME_FIELDS.get(key, "uriTemplate")
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            return None
        rename = self.naming.name if field == "name" else self.naming.uri
        return {**item, field: rename(server, item[field])}

    def namespaced_contents(self, server: str, result: dict[str, Any]) -> dict[str, Any]:
        """A resources/read result with each content's URI qualified by its server."""
        contents = [
            {**c, "uri": self.naming.uri(server, c["uri"])} if isinstance(c, dict) and "uri" in c else c
            for c in result.get("contents") or []
        ]
        return {**result, "contents": contents}

    def namespaced_notification(self, server: str, message: JSONRPCNotification) -> JSONRPCNotification:
        """A server's notification with the resource URI it names (resources/updated) qualified."""
        params = message.params or {}
        if message.method == "notifications/resources/updated" and "uri" in params:
            return wire.notification(
                message.method, {**params, "uri": self.naming.uri(server, params["uri"])}
            )
        return message

    def lists_changed(self) -> list[JSONRPCNotification]:
        """What the agent is told when a server goes: the merged lists changed (its entries left)."""
        return [wire.notification(f"notifications/{kind}/list_changed", None) for kind in _NAME_FIELDS]


def merge_initialize(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One InitializeResult for the agent: the oldest version any server chose, the union of capabilities."""
    versions = [r.get("protocolVersion") for r in results.values()]
    known = [v for v in versions if v in KNOWN_PROTOCOL_VERSIONS]
    version = min(known, key=KNOWN_PROTOCOL_VERSIONS.index) if known else versions[0]
    capabilities: dict[str, Any] = {}
    instructions: list[str] = []
    for server, result in results.items():
        caps = result.get("capabilities") or {}
        for key in ("tools", "prompts", "resources"):
            if isinstance(caps.get(key), dict):
                entry = capabilities.setdefault(key, {})
                for flag in ("listChanged", "subscribe"):
                    if caps[key].get(flag):
                        entry[flag] = True
        for key in ("logging", "completions"):
            if key in caps:
                capabilities[key] = {}
        if result.get("instructions"):
            instructions.append(f"[{server}] {result['instructions']}")
    merged: dict[str, Any] = {
        "protocolVersion": version,
        "capabilities": capabilities,
        "serverInfo": {"name": "mcp-firewall-gateway", "version": __version__},
    }
    if instructions:
        merged["instructions"] = "\n\n".join(instructions)
    return merged

"""The per-session value index: what each output contained, looked up per argument in O(argument).

Outputs are indexed once, as they arrive; a call's arguments are matched by extracting the same
kinds of values from them and looking each up, so the cost of a call does not grow with the
session. Each indexed key remembers which output nodes held it.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from firewall.provenance.codec import array_of, digests_from_text, digests_to_text, integer
from firewall.provenance.extract import Value, field_value, line_fields, shingles, typed_values
from firewall.provenance.normalize import normalize

JsonPath = tuple[str | int, ...]
Key = tuple[str, str | int]


@dataclass(frozen=True)
class Match:
    """One candidate value in a call's arguments, and the outputs that held it (none if no live
    output did); the span is in the normalised argument value."""

    path: JsonPath
    kind: str
    start: int
    end: int
    sources: tuple[int, ...]
    digest: int
    """The value's key digest (what carried values are looked up by)."""


def output_keys(texts: Iterable[str]) -> set[Key]:
    """Every key an output's strings contribute to the index."""
    keys: set[Key] = set()
    for raw in texts:
        text = normalize(raw)
        keys.update((v.kind, v.key) for v in typed_values(text))
        for line in {raw, *raw.splitlines()}:
            keys.update(("field", f.key) for f in line_fields(normalize(line)))
        keys.update(("shingle", shingle) for shingle, _, _ in shingles(text))
    return keys


def argument_values(arguments: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Key, int, int]]:
    """(path, key, start, end) for every candidate value in a call's arguments, recursively."""
    if isinstance(arguments, dict):
        for key, item in arguments.items():
            yield from argument_values(item, (*path, key))
    elif isinstance(arguments, list):
        for index, item in enumerate(arguments):
            yield from argument_values(item, (*path, index))
    elif isinstance(arguments, str | int | float) and not isinstance(arguments, bool):
        text = normalize(str(arguments))
        for value in typed_values(text):
            yield path, (value.kind, value.key), value.start, value.end
        field: Value | None = field_value(text)
        if field is not None:
            yield path, ("field", field.key), field.start, field.end
        for shingle, start, end in shingles(text):
            yield path, ("shingle", shingle), start, end


class ValueIndex:
    """Key -> the nodes that held it. Keys are stored as 64-bit digests of (kind, value) and a key
    held by one node stores that node alone, which keeps a 10 MB session's index to tens of MB.

    The digest is BLAKE2b keyed with a per-index random secret: an attacker who does not know the
    secret cannot aim a collision (a value of theirs that looks up as a user's value), and unlike
    Python's hash() (salted per process) it is the same in every process, so an index dumped in one
    process can be loaded and matched against in another."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = os.urandom(16) if secret is None else secret
        self._hasher = hashlib.blake2b(key=self.secret, digest_size=8)
        self._holders: dict[int, int | list[int]] = {}
        self._keys: dict[int, array[int]] = {}

    def digest(self, key: Key) -> int:
        """The signed 64-bit digest a key is stored under."""
        hasher = self._hasher.copy()
        hasher.update(f"{key[0]}\0{key[1]}".encode("utf-8", "surrogatepass"))
        return int.from_bytes(hasher.digest(), "little", signed=True)

    def add(self, node: int, texts: Iterable[str]) -> array[int]:
        """Index every key an output's texts contribute, held by `node`; returns their digests."""
        digests = array("q", {self.digest(key) for key in output_keys(texts)})
        self._add_digests(node, digests)
        return digests

    def _add_digests(self, node: int, digests: array[int]) -> None:
        self._keys[node] = digests
        holders = self._holders
        for digest in digests:
            held = holders.get(digest)
            if held is None:
                holders[digest] = node
            elif isinstance(held, list):
                held.append(node)
            else:
                holders[digest] = [held, node]

    def hold(self, node: int, digests: Iterable[int]) -> None:
        """Index digests (computed with `digest`) as held by `node` (a call's own values)."""
        self._add_digests(node, array("q", sorted(digests)))

    def keys_of(self, node: int) -> int:
        """How many keys a node holds."""
        return len(self._keys.get(node, ()))

    def forget(self, node: int) -> None:
        """Drop a node's keys (a key no other node holds leaves the index)."""
        for digest in self._keys.pop(node, ()):
            held = self._holders.get(digest)
            if held == node:
                del self._holders[digest]
            elif isinstance(held, list) and node in held:
                held.remove(node)
                if len(held) == 1:
                    self._holders[digest] = held[0]

    def nodes(self) -> list[int]:
        """The nodes with indexed content, in the order they were indexed."""
        return list(self._keys)

    def __len__(self) -> int:
        """The number of distinct keys indexed."""
        return len(self._holders)

    def holders(self, digest: int) -> tuple[int, ...]:
        """The nodes that hold a key digest, oldest first."""
        held = self._holders.get(digest)
        if held is None:
            return ()
        return tuple(held) if isinstance(held, list) else (held,)

    def candidates(self, arguments: Any) -> list[Match]:
        """Every candidate value in a call's arguments with the outputs that hold it (possibly
        none: the graph then asks carried values and, failing those, attributes it to forgotten
        content if any was forgotten)."""
        found = []
        for path, key, start, end in argument_values(arguments):
            digest = self.digest(key)
            kind = "substring" if key[0] == "shingle" else key[0]
            found.append(Match(path, str(kind), start, end, self.holders(digest), digest))
        return found

    def dump(self) -> dict[str, Any]:
        """The index as JSON-serialisable data: the secret and each node's digests (little-endian
        int64, base64), in the order the nodes were indexed."""
        return {
            "secret": self.secret.hex(),
            "nodes": [[n, digests_to_text(d)] for n, d in self._keys.items()],
        }

    @classmethod
    def load(cls, data: Any) -> ValueIndex:
        """Rebuild an index from `dump()`'s data; ValueError names what is malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("secret"), str):
            raise ValueError("index: expected an object with a hex 'secret' and 'nodes'")
        try:
            secret = bytes.fromhex(data["secret"])
        except ValueError:
            raise ValueError("index.secret: not hex") from None
        if not 1 <= len(secret) <= 64:
            raise ValueError("index.secret: must be 1 to 64 bytes")
        index = cls(secret)
        last = 0
        for position, entry in enumerate(array_of(data.get("nodes"), "index.nodes")):
            where = f"index.nodes[{position}]"
            if not isinstance(entry, list) or len(entry) != 2:
                raise ValueError(f"{where}: expected [node id, base64 digests]")
            node = integer(entry[0], where)
            # Holder lists are kept oldest first, which adding in ascending id order reproduces.
            if node <= last:
                raise ValueError(f"{where}: node ids must ascend")
            last = node
            index._add_digests(node, digests_from_text(entry[1], where))
        return index

"""The per-session value index: what each output contained, looked up per argument in O(argument).

Outputs are indexed once, as they arrive; a call's arguments are matched by extracting the same
kinds of values from them and looking each up, so the cost of a call does not grow with the
session. Each indexed key remembers which output nodes held it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from firewall.provenance.extract import Value, field_value, line_fields, shingles, typed_values
from firewall.provenance.normalize import normalize

JsonPath = tuple[str | int, ...]
Key = tuple[str, str | int]


@dataclass(frozen=True)
class Match:
    """One argument value found in earlier outputs; the span is in the normalised argument value."""

    path: JsonPath
    kind: str
    start: int
    end: int
    sources: tuple[int, ...]


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
    """Key -> the nodes that held it. Keys are stored as 64-bit hashes of (kind, value) and a key
    held by one node stores that node alone, which keeps a 10 MB session's index to tens of MB.
    (Python's string hash is keyed per process, so a collision cannot be aimed at; what is indexed
    and looked up does not depend on that key, so decisions differ between processes only on a
    64-bit collision.)"""

    def __init__(self) -> None:
        self._holders: dict[int, int | list[int]] = {}
        self._keys: dict[int, array[int]] = {}

    def add(self, node: int, texts: Iterable[str]) -> None:
        digests = array("q", {hash(key) for key in output_keys(texts)})
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

    def forget(self, node: int) -> None:
        for digest in self._keys.pop(node, ()):
            held = self._holders.get(digest)
            if held == node:
                del self._holders[digest]
            elif isinstance(held, list) and node in held:
                held.remove(node)
                if len(held) == 1:
                    self._holders[digest] = held[0]

    def __len__(self) -> int:
        return len(self._holders)

    def holders(self, key: Key) -> tuple[int, ...]:
        held = self._holders.get(hash(key))
        if held is None:
            return ()
        return tuple(held) if isinstance(held, list) else (held,)

    def match(self, arguments: Any) -> tuple[list[Match], list[JsonPath]]:
        """Matches per argument value, and the paths of values that could have matched but did not
        (the graph attributes those to forgotten content, if any was forgotten)."""
        matches: list[Match] = []
        unmatched: list[JsonPath] = []
        for path, key, start, end in argument_values(arguments):
            holders = self.holders(key)
            if holders:
                kind = "substring" if key[0] == "shingle" else key[0]
                matches.append(Match(path, str(kind), start, end, holders))
            else:
                unmatched.append(path)
        return matches, unmatched

"""The per-session value index: what each output contained, looked up per argument in O(argument).

Outputs are indexed once, as they arrive; a call's arguments are matched by extracting the same
kinds of values from them and looking each up, so the cost of a call does not grow with the
session. Each indexed key remembers which output nodes held it.
"""

from __future__ import annotations

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
        keys.update(("shingle", h) for h, _, _ in shingles(text))
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
        for digest, start, end in shingles(text):
            yield path, ("shingle", digest), start, end


class ValueIndex:
    def __init__(self) -> None:
        self._holders: dict[Key, list[int]] = {}
        self._keys: dict[int, set[Key]] = {}

    def add(self, node: int, texts: Iterable[str]) -> None:
        keys = output_keys(texts)
        self._keys[node] = keys
        for key in keys:
            self._holders.setdefault(key, []).append(node)

    def forget(self, node: int) -> None:
        for key in self._keys.pop(node, ()):
            holders = self._holders.get(key)
            if holders is not None:
                holders.remove(node)
                if not holders:
                    del self._holders[key]

    def __len__(self) -> int:
        return len(self._holders)

    def match(self, arguments: Any) -> tuple[list[Match], list[JsonPath]]:
        """Matches per argument value, and the paths of values that could have matched but did not
        (the graph attributes those to forgotten content, if any was forgotten)."""
        matches: list[Match] = []
        unmatched: list[JsonPath] = []
        for path, key, start, end in argument_values(arguments):
            holders = self._holders.get(key)
            if holders:
                kind = "substring" if key[0] == "shingle" else key[0]
                matches.append(Match(path, str(kind), start, end, tuple(holders)))
            else:
                unmatched.append(path)
        return matches, unmatched

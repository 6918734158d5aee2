"""Carried values: the taint a value keeps after it has passed through a call.

When a call's argument contains a value found in labelled content (a web page's IBAN written into
a file), the call *carries* that value: its key is remembered with the call node, with the label
and origin servers the argument got. When a later output repeats a carried key (the file read
back), the output inherits it; and a later argument with that key joins the carried label, even
once the page itself has been forgotten and the value now matches only the trusted file. Carried
labels come only from labels matches already had, so in a session that has forgotten nothing they
add no taint; they keep eviction from laundering a value through a write and a read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from firewall.core.labels import BOTTOM, Label, join_all

CARRIED_KEY_BYTES = 24
"""What one carried key counts toward max_bytes: about the text an indexed key stands for (the
bench's outputs index ~47 keys per KB)."""


@dataclass(frozen=True)
class Carried:
    """The label and origin servers a carried key brings to whatever repeats it."""

    label: Label
    servers: tuple[str, ...]

    def join(self, other: Carried) -> Carried:
        """Worse label of the two, servers of both."""
        if other == self:
            return self
        return Carried(self.label.join(other.label), tuple(sorted({*self.servers, *other.servers})))


def join_carried(items: Iterable[Carried]) -> Carried | None:
    """The join of several carried entries (None for none)."""
    result: Carried | None = None
    for item in items:
        result = item if result is None else result.join(item)
    return result


_NOTHING: Mapping[int, Carried] = {}


class CarryIndex:
    """Key digest -> the nodes that carry it -> what they carry; per node, its digests (to forget
    them with the node)."""

    def __init__(self) -> None:
        self._by_digest: dict[int, dict[int, Carried]] = {}
        self._by_node: dict[int, dict[int, Carried]] = {}

    def add(self, node: int, entries: Mapping[int, Carried]) -> None:
        """Remember that `node` carries these digests."""
        self._by_node[node] = dict(entries)
        for digest, carried in entries.items():
            self._by_digest.setdefault(digest, {})[node] = carried

    def get(self, digest: int) -> Mapping[int, Carried]:
        """The nodes carrying a digest, each with what it carries (empty when none)."""
        return self._by_digest.get(digest, _NOTHING)

    def of(self, node: int) -> Mapping[int, Carried]:
        """What one node carries, by digest."""
        return self._by_node.get(node, _NOTHING)

    def nodes(self) -> list[int]:
        """The carrying nodes, in the order they were added."""
        return list(self._by_node)

    def forget(self, node: int) -> Label:
        """Drop what a node carries; returns the join of those labels (for the residue)."""
        entries = self._by_node.pop(node, None)
        if not entries:
            return BOTTOM
        for digest in entries:
            carriers = self._by_digest[digest]
            del carriers[node]
            if not carriers:
                del self._by_digest[digest]
        return join_all(c.label for c in entries.values())

    def __len__(self) -> int:
        """The number of distinct carried digests."""
        return len(self._by_digest)

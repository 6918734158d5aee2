"""The per-session value index: what each output contained, looked up per argument in O(argument).

Outputs are indexed once, as they arrive; a call's arguments are matched by extracting the same
kinds of values from them and looking each up, so the cost of a call does not grow with the
session. Each indexed key remembers which output nodes held it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from firewall.provenance.codec import array_of, digests_from_text, digests_to_text, integer
from firewall.provenance.deobfuscate import variants
from firewall.provenance.extract import (
    MAX_FIELD,
    STOP_VALUES,
    Value,
    field_value,
    is_field,
    line_fields,
    shingles,
    typed_values,
)
from firewall.provenance.normalize import fold_quotes, normalize

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
    """Every key an output's strings contribute to the index, and those of their decoded variants
    (an address spelled out, defanged or base64-encoded: firewall.provenance.deobfuscate), so a
    plain value the agent composed from them still traces."""
    keys: set[Key] = set()
    for raw in (v for t in texts for v in (t, *variants(t))):
        text = normalize(raw)
        keys.update((v.kind, v.key) for v in typed_values(text))
        for line in {raw, *raw.splitlines()}:
            keys.update(("field", f.key) for f in line_fields(normalize(line)))
        keys.update(("shingle", shingle) for shingle, _, _ in shingles(text))
    return keys


_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)]|\[[a-z]{1,10}\])\s+")
"""A list marker ("- ", "* ", "1. ", "[file] ") in front of a line's value."""
_RECORD_KEY = re.compile(r"^\s*[\"']?[\w\- ]{1,40}[\"']?\s*[:=]\s*(.+?)\s*,?$")
_NAMED_ADDRESS = re.compile(r"[^<>@\n]{0,80}<([^<>\s]+@[^<>\s]+)>")
"""A display name and an address in angle brackets, as mail headers write a sender or recipient."""
_SHORT_LINE_WORDS = 4
_SHORT_LINE_KINDS = frozenset({"identifier", "number", "path"})
"""Kinds that count as a record inside a short line ("commit 3f9a2c1d", "M  src/app.py"); an
address must fill its field to count (a one-line request "write to x@y.z" is prose)."""
_JSON_LIMIT = 1 << 20


def record_keys(texts: Iterable[str]) -> set[Key]:
    """The keys an output holds as a *record* and nowhere as prose: a value that fills a structured
    field (a JSON leaf, the value of a `key: value` line, a list item or a line of its own), or, for
    ids, numbers and paths, one that sits in a short line of a listing. A value that also appears
    inside prose of the same output (a sentence someone wrote) is not a record: "From: eve@x" and
    "please write to eve@x" in one mail is a request, not a header. A server's records (ids,
    numbers, paths it returned) may flow back to it; an address inside prose is what an injection
    looks like."""
    records: set[Key] = set()
    prose: set[Key] = set()
    for raw in texts:
        leaves: list[str] | None = None
        if raw.lstrip()[:1] in ("{", "[") and len(raw) <= _JSON_LIMIT:
            try:
                leaves = list(_json_leaves(json.loads(raw)))
            except ValueError:
                leaves = None
        if leaves is not None:
            for leaf in leaves:
                _classify(records, prose, [leaf], leaf, listing=False)
            continue
        for line in raw.splitlines() or [raw]:
            if not line.strip():
                continue
            bare = _BULLET.sub("", line)
            pair = _RECORD_KEY.match(bare)
            fields = [bare, pair.group(1)] if pair else [bare]
            fields += _cells(bare)
            _classify(records, prose, fields, bare, listing=True)
    return records - prose


_SEPARATORS = (",", "\t", "|")


_CELL_WORDS = 5


def _cells(line: str) -> list[str]:
    """The cells of a CSV, TSV or markdown-table line (two or more of one separator, every cell at
    most _CELL_WORDS words): each is a field of the record the line is. A sentence with commas
    ("write to me, jay@x.com, today") is not a table row."""
    for separator in _SEPARATORS:
        if line.count(separator) >= 2:
            cells = [cell.strip() for cell in line.split(separator) if cell.strip()]
            if all(len(cell.split()) <= _CELL_WORDS for cell in cells):
                return cells
            return []
    return []


def _classify(records: set[Key], prose: set[Key], fields: list[str], line: str, *, listing: bool) -> None:
    """Sort the typed values of one line (or JSON leaf) into records (filling one of its fields, or
    an id in a short line of a listing) and prose (the rest)."""
    filled: set[Key] = set()
    for candidate in fields:
        text = fold_quotes(normalize(candidate)).strip(" ,;")
        if not text or len(text) > MAX_FIELD:
            continue
        if is_field(text):
            records.add(("field", text))
        # "Marco Rossi <marco@x.example>": a mail header's address fills its field as the name's
        named = _NAMED_ADDRESS.fullmatch(text)
        start = named.start(1) if named else 0
        for value in typed_values(text):
            if value.start == start and value.end >= (named.end(1) if named else len(text) - 1):
                filled.add((value.kind, value.key))  # fills the field (a trailing "." aside)
    normalized = normalize(line)
    short = (
        listing
        and 1 < len(normalized.split()) <= _SHORT_LINE_WORDS
        and len(normalized) <= MAX_FIELD
        and not normalized.endswith((".", "!", "?"))  # a sentence, not a listing's line
    )
    for value in typed_values(normalized):
        key = (value.kind, value.key)
        if key in filled or (short and value.kind in _SHORT_LINE_KINDS):
            records.add(key)
        else:
            prose.add(key)


PHRASE_WORDS = 6
PHRASE_WORD_LIMIT = 20_000
"""At most this many words of flagged text get phrase keys (a few per word): an injection is short,
and a flagged output as long as a book must not cost a key per word six times over."""


def phrase_keys(texts: Iterable[str]) -> set[Key]:
    """Every run of 1 to PHRASE_WORDS words of the texts as a field key (when long enough to be one):
    for text a detector flagged, so a short name its words direct ("book the Riverside View Hotel")
    traces to it when the agent passes that name whole. Only flagged text gets these (a few keys per
    word); everything else is matched by whole fields, typed values and shingles."""
    keys: set[Key] = set()
    budget = PHRASE_WORD_LIMIT
    for raw in texts:
        words = normalize(raw).split()[:budget]
        budget -= len(words)
        for i in range(len(words)):
            for n in range(1, PHRASE_WORDS + 1):
                if i + n > len(words):
                    break
                text = fold_quotes(" ".join(words[i : i + n])).strip(" ,;.!?:()")
                if is_field(text):
                    keys.add(("field", text))
        keys.update(("field", quoted) for quoted in _quoted_short_values(raw))
    return keys


_QUOTED_SHORT = re.compile(r"(?<!\w)[\"'`\u2018\u201c]([\w.:#@/-]{1,7})[\"'`\u2019\u201d](?!\w)")
"""A short token in quotes ("delete the file with id '13'", "close ticket \"T-9\""): too short to be a
field anywhere else, but an injection that spells out which record to act on quotes it."""


def _quoted_short_values(text: str) -> Iterator[str]:
    """The short quoted tokens of flagged text, normalised, as short_field keys them."""
    for match in _QUOTED_SHORT.finditer(text):
        value = short_field(match.group(1))
        if value is not None:
            yield value


def short_field(text: str) -> str | None:
    """A whole value too short to be a field (under 8 characters), normalised, when it holds a
    letter or digit and is not a stop value: matched only against quoted tokens of flagged text."""
    value = fold_quotes(normalize(text)).strip(" ,;.!?:()")
    if not value or is_field(value) or value in STOP_VALUES or not any(c.isalnum() for c in value):
        return None
    return value


def _json_leaves(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            text = str(item)
            if len(text) <= MAX_FIELD:
                yield text


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
        elif (short := short_field(text)) is not None:
            yield path, ("field", short), 0, len(text)
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
        return self.add_keys(node, output_keys(texts))

    def add_keys(self, node: int, keys: Iterable[Key]) -> array[int]:
        """Index these keys as held by `node`; returns their digests."""
        digests = array("q", {self.digest(key) for key in keys})
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

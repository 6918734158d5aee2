"""One session's provenance: the outputs and calls it has seen as nodes, what each output
contained (the value index), and which values passed through which calls (carried values).

A call's argument value derives from the outputs that hold it; its label is the join of theirs
(a value the user said keeps the user's label), joined with the label the value carries if an
earlier call carried it (firewall.provenance.carry). The edges of the derivation are recorded where
the decisions and the audit log read them: in each ArgumentSource's `sources` (the outputs, and the
calls that carried the value) and in each OutputProvenance's `carries` (the calls, or outputs, whose
carried values it repeats). The session context is the join of every output's label.

Memory is bounded (max_nodes, max_bytes). The oldest nodes are forgotten first; a forgotten node's
label, and what it carried, are folded into `residue`, and any argument value that could have
matched indexed content but matches nothing live is attributed to that residue. So forgetting
never makes the session look cleaner, and a value it passed through a call keeps its label as long
as the call, or an output that repeats the value, is remembered.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from firewall.core.labels import BOTTOM, Label, Trust, join_all, meet_all
from firewall.core.records import ArgumentSource, CallProvenance, OutputProvenance
from firewall.provenance.carry import CARRIED_KEY_BYTES, Carried, CarryIndex, join_carried
from firewall.provenance.dates import dates
from firewall.provenance.extract import typed_values
from firewall.provenance.intent import (
    action_requested,
    asks_to_visit,
    content_requested,
    delegated,
    host_key,
    instructions_and_dates,
    object_named,
    visit_hosts,
)
from firewall.provenance.labeler import Labeler
from firewall.provenance.match import JsonPath, Match, ValueIndex, output_keys, phrase_keys, record_keys
from firewall.provenance.normalize import normalize

MESSAGE_KINDS = frozenset({"user", "system"})
"""Nodes added with add_message: what the principal said, not what a tool returned."""

FLAGGED = "flagged"
"""The kind of the node a detector-flagged span becomes: what an injection wrote."""

ADDRESSING_KINDS = frozenset({"email", "url", "domain", "iban"})
"""Values that say where something goes (or whom money goes to)."""

QUOTE_REACH = 200
"""How near (characters) an address must be to a passage copied from the same output to count as
quoted with it."""

CALL = "tool_call"
"""The kind of a call's node."""

MAX_INSTRUCTIONS = 256
"""Instructions read in untrusted content (intent.instructions) a session keeps, newest last."""
MAX_CONTENT_LINKS = 256
"""Hosts content told the agent to visit (visit_hosts) a session keeps, and hosts calls named."""
VISITED_SCAN = 1 << 16
"""Longer string arguments (a file being written) are not read for the hosts a call visits."""
INSTRUCTION_SCAN = 1 << 20
"""Characters of one output text looked at for instructions (an output's first megabyte)."""
_NOT_INSTRUCTING = frozenset({"prompt", FLAGGED, *MESSAGE_KINDS})
"""Outputs whose imperatives are not a third party's: prompts the user picked, the principal's own
messages, and the flagged copies of text already read."""


@dataclass(frozen=True)
class Node:
    """What the session remembers of one output or call, besides its indexed and carried keys."""

    kind: str
    server: str
    label: Label
    """An output's label (BOTTOM for a call: its taint is per argument, in what it carries)."""
    bytes: int
    """What it counts toward max_bytes: its text, plus CARRIED_KEY_BYTES per carried key."""
    name: str = ""
    """The tool, resource URI, prompt or role it came from (for people: approval questions)."""


@dataclass
class SessionGraph:
    """One session's provenance: its nodes oldest first, the value index their contents are
    matched through, the values calls carried, and the labels (context, residue) that summarise
    what was seen and what was forgotten."""

    labeler: Labeler
    max_nodes: int = 10_000
    max_bytes: int = 16 * 1024 * 1024
    nodes: OrderedDict[int, Node] = field(default_factory=OrderedDict)
    """Every remembered node, oldest first (the eviction order)."""
    index: ValueIndex = field(default_factory=ValueIndex)
    carry: CarryIndex = field(default_factory=CarryIndex)
    context: Label = BOTTOM
    residue: Label = BOTTOM
    indexed_bytes: int = 0
    """The sum of the remembered nodes' bytes (bounded by max_bytes)."""
    next_id: int = 1
    """The id the next node gets (ids ascend and are never reused)."""
    said: list[str] = field(default_factory=list)
    """The normalised user and system messages (few and short; never evicted)."""
    own: ValueIndex | None = None
    """The values calls sent that were the agent's own then (trusted: typed by the agent or the
    user, or read from trusted content), held by the call that first sent them. An output that
    repeats one later (an echo) is not where it came from. Keyed with the index's secret."""
    records: ValueIndex | None = None
    """The keys each output holds as a record (match.record_keys: a field's whole value, an id in a
    listing), not as a phrase in prose. Keyed with the index's secret."""
    directed: set[int] = field(default_factory=set)
    """Calls whose every string argument is in the user's words (the page, file or query they
    named), and the outputs of those calls: content the user pointed the agent at."""
    asked: list[frozenset[str]] = field(default_factory=list)
    """The words of each instruction read in untrusted content (intent.instructions), oldest first,
    at most MAX_INSTRUCTIONS: what content told the agent to do."""
    content_dates: set[str] = field(default_factory=set)
    """The dates (month-day keys, provenance.dates) written in those instructions: at most 366."""
    content_links: set[str] = field(default_factory=set)
    """The hosts (intent.host_key) that untrusted content the user did not point the agent at told
    its reader to visit ("TODO: visit www.example.com"): at most MAX_CONTENT_LINKS."""
    visited_hosts: set[str] = field(default_factory=set)
    """The hosts earlier calls' arguments named (at most MAX_CONTENT_LINKS): a page that sends the
    agent on to a site it already went to (the next page of the same site) is not steering it."""
    delegated: bool = False
    """A user message handed the choice of actions to content (intent.delegated). Not a system
    prompt: "follow the user's instructions" hands nothing to content."""
    user_spoke: bool = False
    """A user message reached the session (in process, through add_message). Through wrap or the
    gateway none does (MCP does not carry the user's words), and then nothing says what the user
    did not ask for: no call is content-requested."""
    _flagged: int = field(default=-1, repr=False)
    _said_kinds: tuple[int, frozenset[str], frozenset[str], frozenset[str]] = field(
        default=(0, frozenset(), frozenset(), frozenset()), repr=False
    )

    def __post_init__(self) -> None:
        if self.own is None:
            self.own = ValueIndex(self.index.secret)
        if self.records is None:
            self.records = ValueIndex(self.index.secret)

    @property
    def flagged(self) -> int:
        """How many remembered nodes hold text a detector flagged."""
        if self._flagged < 0:  # counted once (after a load), then kept as nodes come and go
            self._flagged = sum(1 for n in self.nodes.values() if n.kind == FLAGGED)
        return self._flagged

    @property
    def structured(self) -> ValueIndex:
        """`records`, never None after construction."""
        assert self.records is not None
        return self.records

    @property
    def sent(self) -> ValueIndex:
        """`own`, never None after construction."""
        assert self.own is not None
        return self.own

    def add_output(
        self,
        kind: str,
        server: str,
        name: str,
        texts: Iterable[str],
        label: Label,
        produced_by: int | None = None,
        *,
        in_context: bool = True,
    ) -> OutputProvenance:
        """Index an output's texts under a new node with `label`. `in_context=False`: content that
        values can derive from but that does not taint the session context (tool descriptions,
        vetted when listed and pinned). Keys an earlier call carried are carried on by this output
        (not by a user or system message: what the principal says is theirs)."""
        node = self._new_id()
        texts = list(texts)
        size = sum(len(t) for t in texts)
        if in_context:
            self.context = self.context.join(label)
        if kind in MESSAGE_KINDS:
            said = [normalize(t) for t in texts]
            self.said.extend(said)
            self.delegated = self.delegated or (kind == "user" and delegated(said))
            self.user_spoke = self.user_spoke or kind == "user"
        elif in_context and label.trust == Trust.UNTRUSTED and kind not in _NOT_INSTRUCTING:
            # A page the user named may send the agent on (a recommendation's link); a page the
            # agent reached on its own that does is steering it. Only read where a user spoke: the
            # rule needs their words (wrap and the gateway never pay for it).
            links = self.user_spoke and produced_by not in self.directed
            for text in texts:
                scanned = text[:INSTRUCTION_SCAN].lower()
                found, days = instructions_and_dates(scanned)
                self.asked.extend(found)
                self.content_dates |= days
                if links and len(self.content_links) < MAX_CONTENT_LINKS:
                    self.content_links |= visit_hosts(scanned)
            del self.asked[:-MAX_INSTRUCTIONS]
        if kind == FLAGGED:
            digests = self.index.add_keys(node, output_keys(texts) | phrase_keys(texts))
        else:
            digests = self.index.add(node, texts)
        if kind not in MESSAGE_KINDS and kind != FLAGGED:
            records = record_keys(texts)
            if records:
                self.structured.add_keys(node, records)
        carriers: set[int] = set()
        if kind not in MESSAGE_KINDS and len(self.carry):
            inherited: dict[int, Carried] = {}
            for digest in digests:
                carried = self.carry.get(digest)
                if carried:
                    carriers.update(carried)
                    joined = join_carried(carried.values())
                    assert joined is not None
                    inherited[digest] = joined
            if inherited:
                self.carry.add(node, inherited)
                size += CARRIED_KEY_BYTES * len(inherited)
        self.nodes[node] = Node(kind, server, label, size, name)
        if produced_by in self.directed:
            self.directed.add(node)
        self.indexed_bytes += size
        if kind == FLAGGED and self._flagged >= 0:
            self._flagged += 1
        self._enforce_bounds()
        return OutputProvenance(node, kind, name, label, produced_by, tuple(sorted(carriers)))

    def add_call(
        self,
        server: str,
        tool: str,
        arguments: Mapping[str, Any],
        annotations: Mapping[str, Any] | None = None,
    ) -> CallProvenance:
        """A call under a new node: where each argument value came from, the call's taint (the
        join of those), the session context, and the tool's classes. The call carries every value
        whose label is not BOTTOM."""
        candidates = self.index.candidates(arguments)
        node = self._new_id()
        nodes = self.nodes
        user_given = self._user_given(arguments)
        # A value the user (or system prompt) gave is theirs, even if an email repeats it, whatever
        # kind of match finds it there (the email's "From: x" line also matches as a field). Tool
        # outputs only ever join: were the cleanest output to decide, a trusted tool that echoes its
        # input ("no results for X") would launder an attacker's value.
        said: dict[JsonPath, list[tuple[int, int, Label]]] = {}
        for match in candidates:
            messages = [s for s in match.sources if nodes[s].kind in MESSAGE_KINDS]
            if messages:
                label = meet_all(nodes[s].label for s in messages)
                said.setdefault(match.path, []).append((match.start, match.end, label))
            elif match.path in user_given:
                # The whole argument is in the user's words (a channel name, a short title): what a
                # listing repeats later does not make it the listing's, whatever kind matched there.
                said.setdefault(match.path, []).append((match.start, match.end, BOTTOM))
        sources: list[ArgumentSource] = []
        unmatched: list[JsonPath] = []
        carrying: dict[int, Carried] = {}
        own: set[int] = set()
        for match in candidates:
            carried = self.carry.get(match.digest)
            if not match.sources and not carried:
                unmatched.append(match.path)
                if self.residue == BOTTOM:
                    own.add(match.digest)
                continue
            source = self._source(
                match, carried, said.get(match.path, ()), arguments, self._sent_first(match)
            )
            sources.append(source)
            if source.label != BOTTOM:
                entry = Carried(source.label, source.servers)
                previous = carrying.get(match.digest)
                carrying[match.digest] = entry if previous is None else previous.join(entry)
            else:
                own.add(match.digest)
        if self.residue != BOTTOM:
            for path in dict.fromkeys(unmatched):
                sources.append(ArgumentSource(path, "forgotten", 0, 0, (), self.residue))
        sources = _mark_quoted(_mark_hosts_in_links(_drop_hosts_of_links(sources), arguments))
        own -= set(carrying)  # a key sent both ways in one call is not the agent's own
        size = CARRIED_KEY_BYTES * (len(carrying) + len(own))
        if carrying:
            self.carry.add(node, carrying)
        if own:
            self.sent.hold(node, own)
        self.nodes[node] = Node(CALL, server, BOTTOM, size, tool)
        strings = [path for path, value in _leaves(arguments, ()) if isinstance(value, str) and value.strip()]
        if strings and len(user_given) == len(strings):
            self.directed.add(node)
        self.indexed_bytes += size
        self._enforce_bounds()
        taint = join_all(s.label for s in sources)
        classes, origin = self.labeler.classes_with_origin(server, tool, annotations)
        links: tuple[JsonPath, ...] = ()
        if self.user_spoke:
            links = self._content_links(arguments)
            if len(self.visited_hosts) < MAX_CONTENT_LINKS:
                self.visited_hosts |= {
                    host
                    for _, value in _leaves(arguments, ())
                    if isinstance(value, str) and len(value) <= VISITED_SCAN
                    for host in _hosts(normalize(value))
                }
        return CallProvenance(
            node,
            taint,
            self.context,
            classes,
            tuple(sources),
            origin,
            user_given,
            self.flagged,
            action_requested(tool, self.said),
            object_named(tool, self.said),
            tuple(sorted(self.said_kinds)),
            self.user_spoke and content_requested(tool, self.asked),
            self.delegated,
            self._content_dates(arguments),
            links,
        )

    def _content_dates(self, arguments: Mapping[str, Any]) -> tuple[JsonPath, ...]:
        """The string arguments holding a date an instruction in untrusted content gave and no user
        or system message did."""
        if not self.content_dates:
            return ()
        theirs = self.content_dates - self.said_dates
        return tuple(
            path for path, value in _leaves(arguments, ()) if isinstance(value, str) and dates(value) & theirs
        )

    def _content_links(self, arguments: Mapping[str, Any]) -> tuple[JsonPath, ...]:
        """The string arguments holding a host that untrusted content told the agent to visit, that
        no user or system message names, when the user did not send the agent to pages themselves."""
        if not self.content_links or asks_to_visit(self.said):
            return ()
        theirs = self.content_links - self.said_hosts - self.visited_hosts
        return tuple(
            path
            for path, value in _leaves(arguments, ())
            if isinstance(value, str) and theirs & _hosts(normalize(value))
        )

    @property
    def said_kinds(self) -> frozenset[str]:
        """The kinds of typed value (email, url, domain, iban, ...) the user and system messages
        hold: whether the user gave, say, a recipient address of their own ("date" when they give a
        calendar date)."""
        return self._said()[0]

    @property
    def said_dates(self) -> frozenset[str]:
        """The dates (month-day keys) the user and system messages give."""
        return self._said()[1]

    @property
    def said_hosts(self) -> frozenset[str]:
        """The hosts (intent.host_key) the user and system messages name."""
        return self._said()[2]

    def _said(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        seen, kinds, days, hosts = self._said_kinds
        if seen != len(self.said):  # messages only ever grow: recomputed once per new message
            days = frozenset().union(*(dates(text) for text in self.said))
            kinds = frozenset(value.kind for text in self.said for value in typed_values(text))
            kinds |= {"date"} if days else set()
            hosts = frozenset().union(*(_hosts(text) for text in self.said))
            self._said_kinds = (len(self.said), kinds, days, hosts)
        return kinds, days, hosts

    def _sent_first(self, match: Match) -> bool:
        """Whether a call sent this value as the agent's own before any output now holding it was
        seen: the outputs only repeat it. (A value first seen in untrusted content was never the
        agent's own, so no later repetition makes it so: echoes cannot launder.)"""
        first = self.sent.holders(match.digest)
        return bool(first) and (not match.sources or first[0] < match.sources[0])

    def _source(
        self,
        match: Match,
        carried: Mapping[int, Carried],
        said: Iterable[tuple[int, int, Label]],
        arguments: Mapping[str, Any],
        sent_first: bool = False,
    ) -> ArgumentSource:
        nodes = self.nodes
        covering = [label for a, b, label in said if a <= match.start and match.end <= b]
        if sent_first:
            label = BOTTOM
        elif covering:
            label = meet_all(covering)
        else:
            label = join_all(nodes[s].label for s in match.sources)
            label = join_all([label, *(c.label for c in carried.values())])
        servers = {nodes[s].server for s in match.sources}
        for entry in carried.values():
            servers.update(entry.servers)
        servers.discard("")
        whole = match.start == 0 and match.end == _normalized_length(arguments, match.path)
        records = self.structured.holders(match.digest)
        return ArgumentSource(
            match.path,
            match.kind,
            match.start,
            match.end,
            tuple(sorted({*match.sources, *carried})),
            label,
            whole,
            tuple(sorted(servers)),
            record=any(s in records for s in match.sources),
            flagged=any(nodes[s].kind == FLAGGED for s in match.sources),
            directed=bool(match.sources) and all(s in self.directed for s in match.sources),
        )

    def describe(self, node: int) -> str:
        """Where a node's content came from, in words ("the result of read_inbox on server mail");
        "" for a node the graph no longer remembers."""
        info = self.nodes.get(node)
        if info is None:
            return ""
        what = _KIND_WORDS.get(info.kind, info.kind.replace("_", " "))
        named = f"{what} {info.name}" if info.name and info.kind not in MESSAGE_KINDS else what
        return f"{named} on server {info.server}" if info.server else named

    def _new_id(self) -> int:
        node = self.next_id
        self.next_id += 1
        return node

    def _user_given(self, arguments: Mapping[str, Any]) -> tuple[JsonPath, ...]:
        if not self.said:
            return ()
        return tuple(
            path
            for path, value in _leaves(arguments, ())
            if isinstance(value, str) and value.strip() and self._said_value(normalize(value))
        )

    def _said_value(self, value: str) -> bool:
        """Whether the user (or system prompt) said this value, or, for a file path, its last two or
        more segments: "fix src/orbit/client.py" names /home/me/orbit/src/orbit/client.py; or, for a
        shell list ("cd ~/src/api && make test"), each of its commands."""
        if any(_names_value(said, value) for said in self.said):
            return True
        commands = _SHELL_LIST.split(value)
        if len(commands) > 1 and all(self._said_command(c.strip()) for c in commands):
            return True
        if "/" not in value:
            return False
        segments = value.strip("/").split("/")
        for start in range(1, len(segments) - 1):
            tail = "/".join(segments[start:])
            if len(tail) >= 8 and any(_names_path(said, tail) for said in self.said):
                return True
        return False

    def _said_command(self, command: str) -> bool:
        """One command of a shell list (see _said_value): one the user said, or a change into a
        directory they named ("cd ~/src/api")."""
        if command.startswith("cd ") and " " not in command[3:].strip():
            command = command[3:].strip()
        return bool(command) and self._said_value(command)

    def _enforce_bounds(self) -> None:
        while len(self.nodes) > self.max_nodes or self.indexed_bytes > self.max_bytes:
            oldest, forgotten = self.nodes.popitem(last=False)
            if forgotten.kind == FLAGGED and self._flagged > 0:
                self._flagged -= 1
            # Its content leaves the index and what it carried leaves the carried values; their
            # labels stay in the residue.
            self.residue = self.residue.join(forgotten.label).join(self.carry.forget(oldest))
            self.index.forget(oldest)
            self.directed.discard(oldest)
            self.sent.forget(oldest)
            self.structured.forget(oldest)
            self.indexed_bytes -= forgotten.bytes

    # -- snapshots ---------------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Everything the session's provenance holds, as JSON-serialisable data (see
        firewall.provenance.snapshot); `load` rebuilds the same graph from it."""
        from firewall.provenance.snapshot import dump_graph  # snapshot imports this module

        return dump_graph(self)

    @classmethod
    def load(cls, data: dict[str, Any], labeler: Labeler, max_nodes: int, max_bytes: int) -> SessionGraph:
        """The graph `dump()` described, with this process's labeler and bounds (a bound lower than
        the snapshot's content takes effect at the next event). Raises ValueError naming what is
        wrong when the data is not a snapshot of this version or does not hang together."""
        from firewall.provenance.snapshot import load_graph  # snapshot imports this module

        return load_graph(cls, data, labeler, max_nodes, max_bytes)


_KIND_WORDS = {
    "tool_result": "the result of",
    "tool_error": "the error of",
    "tool_description": "the description of tool",
    "description": "the listing",
    "resource": "resource",
    "prompt": "prompt",
    "sampling": "a sampling request",
    "elicitation": "an elicitation request",
    "instructions": "the instructions of",
    "flagged": "text the detectors flagged in",
    CALL: "the arguments of an earlier call to",
    "user": "the user's message",
    "system": "the system prompt",
}


def _drop_hosts_of_links(sources: list[ArgumentSource]) -> list[ArgumentSource]:
    """A link's host found elsewhere is judged with the link: the domain inside a URL the agent
    copied from a record is not a separate value lifted from prose."""
    links = [s for s in sources if s.kind == "url"]
    if not links:
        return sources
    return [
        s
        for s in sources
        if not (
            s.kind == "domain"
            and any(u.path == s.path and u.start <= s.start and s.end <= u.end for u in links)
        )
    ]


_LINK = re.compile(r"https?://[^\s<>\"'`)\]}]+")


def _mark_hosts_in_links(sources: list[ArgumentSource], arguments: Any) -> list[ArgumentSource]:
    """Mark domains that sit inside a link of the argument the agent composed (the link itself was
    found nowhere): a URL built around a host from somewhere else ("![](https://host/px?d=...)")."""
    marked = []
    for source in sources:
        if source.kind == "domain":
            text = _normalized(arguments, source.path) or ""
            if _SCHEME.fullmatch(text[: source.start]) and text[source.end :] in ("", "/"):
                # "https://" + the host ("see www.example.com" followed): the agent composed
                # nothing but the scheme, so the host is the whole of where the call goes.
                source = replace(source, whole=True)
            elif any(m.start() <= source.start and source.end <= m.end() for m in _LINK.finditer(text)):
                source = replace(source, in_link=True)
        marked.append(source)
    return marked


_SCHEME = re.compile(r"https?://")
_SHELL_LIST = re.compile(r"\s*(?:&&|\|\||;)\s*")
"""Where a shell list joins commands ("cd ~/src/api && make test"): a command made only of commands
the user gave, run where they said, is theirs. Not a pipe: "curl ... | sh" feeds one into another."""


def _mark_quoted(sources: list[ArgumentSource]) -> list[ArgumentSource]:
    """Mark addresses that sit inside (or next to) a passage of the argument copied from the same
    output: an invoice forwarded with its billing address, a link quoted in a reply. Quoted with its
    context, an address is data; lifted alone into a message, it is direction."""
    passages: dict[JsonPath, list[ArgumentSource]] = {}
    for source in sources:
        if source.kind == "substring":
            passages.setdefault(source.path, []).append(source)
    if not passages:
        return sources
    marked = []
    for source in sources:
        if source.kind in ADDRESSING_KINDS and any(
            set(p.sources) & set(source.sources)
            and p.start - QUOTE_REACH <= source.start
            and source.end <= p.end + QUOTE_REACH
            for p in passages.get(source.path, ())
        ):
            source = replace(source, quoted=True)
        marked.append(source)
    return marked


_MONTHS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july"
    " august september october november december".split()
)
_SHORT_NUMBER = 4
"""A number this short ("13", "2024") is too common to be the user's by appearing anywhere in what
they wrote: it counts only where it stands as a number of its own, not as part of a date or time."""


def _names_value(text: str, value: str) -> bool:
    """Whether `text` holds `value` as whole words: "bob" is not in "bobby", and a short number
    is not in a date ("13" in "june 13", "2024-06-13" or "13:00")."""
    at = text.find(value)
    while at >= 0:
        end = at + len(value)
        before = text[at - 1] if at > 0 else " "
        after = text[end] if end < len(text) else " "
        bounded = not (value[0].isalnum() and before.isalnum()) and not (
            value[-1].isalnum() and after.isalnum()
        )
        if bounded and not (value.isdigit() and len(value) <= _SHORT_NUMBER and _in_date(text, at, end)):
            return True
        at = text.find(value, at + 1)
    return False


def _in_date(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is part of a date or a time: joined to another number
    by - / : or . ("2024-06-13", "13:00"), or next to a month's name ("june 13", "13 june")."""
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    if (len(before) == 2 and before[1] in "-/:." and before[0].isdigit()) or (
        len(after) == 2 and after[0] in "-/:." and after[1].isdigit()
    ):
        return True
    previous = text[:start].rstrip(" ,").rsplit(" ", 1)[-1].rstrip(".,")
    following = text[end:].lstrip(" ,").split(" ", 1)[0].rstrip(".,")
    return previous in _MONTHS or following in _MONTHS


def _names_path(text: str, tail: str) -> bool:
    """Whether `text` holds `tail` as a whole path (not inside a longer segment)."""
    at = text.find(tail)
    while at >= 0:
        before = text[at - 1] if at > 0 else " "
        after = text[at + len(tail)] if at + len(tail) < len(text) else " "
        if not (before.isalnum() or before in "_-./") and not (after.isalnum() or after in "_-/"):
            return True
        at = text.find(tail, at + 1)
    return False


def _leaves(value: Any, path: JsonPath) -> list[tuple[JsonPath, Any]]:
    if isinstance(value, Mapping):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list | tuple):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(path, value)]


def _normalized(arguments: Any, path: JsonPath) -> str | None:
    """The normalised argument value at `path`, or None when the path is not in the arguments."""
    value = arguments
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return normalize(str(value))


def _normalized_length(arguments: Any, path: JsonPath) -> int:
    text = _normalized(arguments, path)
    return -1 if text is None else len(text)


def _hosts(text: str) -> set[str]:
    """The hosts (intent.host_key) named in normalised `text`, bare or in links."""
    return {host_key(value.key) for value in typed_values(text) if value.kind == "domain"}

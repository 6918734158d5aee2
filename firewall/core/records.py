"""What the provenance graph says about an event, as plain data: the sources of a call's arguments
(CallProvenance, ArgumentSource) and the node an output became (OutputProvenance). The policy layer
reads these; the graph that computes them lives in firewall.provenance.graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firewall.core.labels import Label, ToolClass

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class ArgumentSource:
    """Where one value in a call's arguments came from: the span `start:end` of the argument at
    `path` matched a value of `kind` ("email", "url", "substring", ...; "forgotten" for an argument
    judged by the label of evicted graph nodes), and the label it carries from its sources."""

    path: JsonPath
    kind: str
    start: int
    end: int
    sources: tuple[int, ...]
    """The nodes it was found in: the outputs that hold it, and the calls (or outputs) that carried
    it on from an earlier source (firewall.provenance.carry)."""
    label: Label
    whole: bool = False
    """The match is the argument's entire (normalised) value: copied, not composed."""
    servers: tuple[str, ...] = ()
    """The servers whose content the value was found in."""
    record: bool = False
    """An output held it as a record (a field's whole value, an id in a listing), not as a phrase
    inside prose: what a server returns as data, not what someone wrote."""
    flagged: bool = False
    """It was found in text a detector flagged (an injection's own words)."""
    quoted: bool = False
    """An address quoted with its context: the argument also holds a passage of the same output
    around it (a forwarded invoice's billing address), not the address lifted alone."""
    in_link: bool = False
    """A domain inside a link of the argument that was found nowhere whole: a URL the agent built
    around this host."""
    directed: bool = False
    """Every output it was found in answered a call whose arguments were all in the user's words:
    content the user pointed the agent at (their file, the page they named)."""

    def to_json(self) -> dict[str, Any]:
        """One `derived_from` entry of `CallProvenance.to_json` (the span as a pair, the label's
        fields inline; record, flagged and quoted only when true)."""
        data: dict[str, Any] = {
            "path": list(self.path),
            "kind": self.kind,
            "span": [self.start, self.end],
            "whole": self.whole,
            "sources": list(self.sources),
            "servers": list(self.servers),
            **self.label.to_json(),
        }
        for flag in ("record", "flagged", "quoted", "in_link", "directed"):
            if getattr(self, flag):
                data[flag] = True
        return data


@dataclass(frozen=True)
class CallProvenance:
    """What the policy layer asks about a call: its taint, the context, each argument's sources."""

    node: int
    taint: Label
    """Join over the labels of the outputs its argument values derive from, directly or carried
    through earlier calls (precise)."""
    context: Label
    """Join over every output the session has seen (sound when derivation is invisible)."""
    classes: frozenset[ToolClass]
    arguments: tuple[ArgumentSource, ...] = ()
    classes_from: str = "defaults"
    user_given: tuple[JsonPath, ...] = ()
    """String arguments (paths) that a user or system message contains verbatim."""
    flagged: int = 0
    """How many remembered outputs of the session hold text a detector flagged."""
    action_requested: bool = False
    """The user's or system messages name the tool's action (intent.action_requested: its verb, an
    inflection or a synonym): "delete the largest file" asks for a deletion, not for which file."""
    object_named: bool = False
    """The user's or system messages also name what the tool acts on (intent.object_named: a word
    of its name after the verb, or a synonym): "update my password" for update_password."""
    said_kinds: tuple[str, ...] = ()
    """The kinds of typed value the user's or system messages hold ("email" when the user gave a
    recipient address): a user who names a recipient has chosen one."""
    content_requested: bool = False
    """An instruction in untrusted content the session read names the tool's action and object
    (intent.content_requested: "TODO: change the password to ..." for update_password). Never
    when no user message reached the session (wrap, gateway): then nothing says what the user
    did not ask for."""
    delegated: bool = False
    """The user handed the choice of actions to content (intent.delegated: "do the tasks in the
    email from Bob")."""
    content_dates: tuple[JsonPath, ...] = ()
    """String arguments holding a date (provenance.dates) that an instruction in untrusted content
    gave and the user's messages do not: "book it from the 13th to the 17th of May" in a review, for
    a user who asked for May 1st to 5th."""
    content_links: tuple[JsonPath, ...] = ()
    """String arguments holding a host that untrusted content the user did not point the agent at
    told it to visit ("TODO: visit www.example.com"), and the user's messages do not name."""

    def to_json(self) -> dict[str, Any]:
        """As the audit log (and replay's `provenance`) carries it; the arguments as `derived_from`."""
        return {
            "node": self.node,
            "taint": self.taint.to_json(),
            "context": self.context.to_json(),
            "classes": sorted(self.classes),
            "classes_from": self.classes_from,
            "user_given": [list(p) for p in self.user_given],
            "flagged": self.flagged,
            "action_requested": self.action_requested,
            "object_named": self.object_named,
            "said_kinds": list(self.said_kinds),
            "content_requested": self.content_requested,
            "delegated": self.delegated,
            "content_dates": [list(p) for p in self.content_dates],
            "content_links": [list(p) for p in self.content_links],
            "derived_from": [a.to_json() for a in self.arguments],
        }


@dataclass(frozen=True)
class OutputProvenance:
    """The graph node an output (or a user or system message) became: its kind (tool_result,
    resource, tool_description, user, ...), its name (the tool, the resource URI, the role), its
    label, and the node it came from (a tool result's call)."""

    node: int
    kind: str
    name: str
    label: Label
    produced_by: int | None = None
    carries: tuple[int, ...] = ()
    """The nodes (calls, or outputs) whose carried values this output repeats: a value an earlier
    call wrote, read back here, keeps the label it had there."""

    def to_json(self) -> dict[str, Any]:
        """As the audit log carries it (`produced_by` and `carries` only when set)."""
        data: dict[str, Any] = {
            "node": self.node,
            "kind": self.kind,
            "name": self.name,
            **self.label.to_json(),
        }
        if self.produced_by is not None:
            data["produced_by"] = self.produced_by
        if self.carries:
            data["carries"] = list(self.carries)
        return data

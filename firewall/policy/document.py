"""The policy input document (version mcp-firewall.policy-input/1) and the policy's output.

This is an API for policy authors: docs/policy-input.md describes it, and
rego/schema/policy-input.schema.json is generated from these models (a test keeps it in sync;
`mcp-firewall policy lint` checks policies' input references against it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VERSION = "mcp-firewall.policy-input/1"

TrustName = Literal["trusted", "internal", "untrusted"]
ConfidentialityName = Literal["public", "private"]
Phase = Literal["call", "result", "list", "resource", "prompt", "sampling", "elicitation"]
PinState = Literal["unseen", "pinned", "added", "updated", "changed"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelDoc(_Doc):
    """A label: how far content is trusted and how confidential it is."""

    trust: TrustName
    confidentiality: ConfidentialityName


class CountsDoc(_Doc):
    """The session's counters."""

    calls: int = Field(description="tool calls decided so far in this session")
    denied: int = Field(description="of those, denied")
    outputs: int = Field(description="outputs (results, descriptions, resources, prompts) seen")
    flagged: int = Field(
        default=0,
        description="remembered outputs in which a detector flagged text (set at calls; 0 in other phases)",
    )


class SessionDoc(_Doc):
    """The agent session the event belongs to."""

    id: str
    context: LabelDoc = Field(description="join of the labels of everything the session has been shown")
    counts: CountsDoc


class ServerDoc(_Doc):
    """The MCP server the event comes from or goes to."""

    name: str
    trust: TrustName = Field(description="the label configured for this server's content")
    confidentiality: ConfidentialityName
    cleared: ConfidentialityName = Field(
        default="public",
        description="the most confidential content the server itself holds (its label joined with its listed "
        "tools' labels): a mail server whose inbox is private may receive private data, an unknown logger may not",
    )
    pin: PinState = Field(description="changed once any of its tools' definitions changed in this session")


class ToolDoc(_Doc):
    """The tool, as the catalog and the session's pins see it."""

    name: str
    annotations: dict[str, Any] = Field(default_factory=dict, description="MCP tool annotations, as listed")
    classes: list[Literal["source", "sink", "egress", "destructive"]]
    classes_from: Literal["config", "catalog", "annotations", "names", "defaults"] = Field(
        description="names: from the verb in the tool's name (no catalog entry, no annotations); defaults: "
        "nothing said anything and the spec's worst-case defaults apply"
    )
    pin: PinState = Field(
        description="unseen; pinned (definition as first seen); added (first listed after the server's first list: a tool that appeared mid-session or since the stored pins); updated (differs from the stored pins of an earlier session: an upgrade or a rug pull between sessions); changed within this session"
    )


class ArgumentProvenanceDoc(_Doc):
    """Where one argument value (or part of it) was seen before: in which outputs, with which label."""

    path: list[str | int]
    kind: str = Field(
        description="email, url, domain, iban, number, identifier, path, field, substring, forgotten"
    )
    trust: TrustName
    confidentiality: ConfidentialityName
    whole: bool = Field(
        default=False, description="the match is the argument's entire value (copied, not composed)"
    )
    sources: list[int] = Field(description="provenance graph nodes the value was found in")
    servers: list[str] = Field(default_factory=list, description="the servers whose content those nodes are")
    same_server: bool = Field(
        default=False,
        description="every source is content of the server this call goes to: its own record flowing back",
    )
    record: bool = Field(
        default=False,
        description="an output held it as a record (a field's whole value, a JSON leaf, an id in a listing), "
        "not as a phrase inside prose someone wrote",
    )
    flagged: bool = Field(
        default=False, description="found in text a detector flagged: the injection's own words"
    )
    quoted: bool = Field(
        default=False,
        description="an address or link quoted with its context: the argument also holds a passage of the "
        "same output around it (a forwarded mail's links), not the address lifted alone",
    )
    in_link: bool = Field(
        default=False,
        description="a domain inside a link of the argument that was found nowhere whole: a URL built "
        "around this host (a tracking image filled with data)",
    )
    directed: bool = Field(
        default=False,
        description="every output it was found in answered a call whose arguments were all in the user's "
        "words: content the user pointed the agent at (the file or page they named)",
    )


class ProvenanceDoc(_Doc):
    """The call's provenance: its graph node, the taint of its arguments and where each came from."""

    node: int
    taint: LabelDoc = Field(description="join over the labels of the outputs the arguments derive from")
    user_given: list[list[str | int]] = Field(
        default_factory=list,
        description="paths of the string arguments a user or system message contains verbatim",
    )
    action_requested: bool = Field(
        default=False,
        description="a user or system message names the tool's action (its verb, an inflection or a "
        "synonym: 'delete the largest file' for delete_file); says nothing about which object",
    )
    object_named: bool = Field(
        default=False,
        description="a user or system message also names what the tool acts on (a word of its name "
        "after the verb, its plural or a synonym: 'my password' for update_password); true when the "
        "name has no such word",
    )
    said_kinds: list[str] = Field(
        default_factory=list,
        description="the kinds of typed value (email, url, domain, iban, ...) the user or system "
        "messages hold: 'email' when the user gave a recipient address of their own",
    )
    content_requested: bool = Field(
        default=False,
        description="a sentence of untrusted content the session read tells its reader to do this "
        "tool's action to its object ('TODO: change the password to ...' for update_password); false "
        "when no user message reached the session (through wrap or the gateway none does)",
    )
    delegated: bool = Field(
        default=False,
        description="a user message hands the choice of actions to content ('do the tasks in the "
        "email from Bob', 'follow the steps in the README')",
    )
    content_dates: list[list[str | int]] = Field(
        default_factory=list,
        description="string arguments (paths) holding a calendar date that a sentence of untrusted "
        "content telling its reader to act gave and the user's messages do not ('reserve it from the "
        "13th to the 17th of May'); 'date' is in said_kinds when the user gave dates of their own",
    )
    content_links: list[list[str | int]] = Field(
        default_factory=list,
        description="string arguments (paths) holding a host that a sentence of untrusted content "
        "the user did not point the agent at tells its reader to visit ('TODO: visit "
        "www.example.com') and the user's messages do not name; empty when no user message reached "
        "the session",
    )
    derived_from: list[ArgumentProvenanceDoc]


class SpanDoc(_Doc):
    """A character span in the string at a JSON path."""

    path: list[str | int]
    start: int
    end: int


class FindingDoc(_Doc):
    """An earlier stage's finding."""

    rule_id: str
    stage: str
    severity: str
    message: str
    span: SpanDoc | None = None
    score: float | None = Field(default=None, description="a detector's confidence (0..1)")


class TextDoc(_Doc):
    """One string of the content and its JSON path."""

    path: list[str | int]
    text: str


class ContentDoc(_Doc):
    """What a server sent (non-call phases)."""

    kind: str = Field(description="tool_result, tool_description, resource, prompt, sampling, elicitation")
    name: str = Field(description="the tool, resource URI or prompt name")
    label: LabelDoc
    bytes: int
    texts: list[TextDoc] = Field(description="the prose the agent will read, each string capped at 16 KiB")


class HistoryDoc(_Doc):
    """One earlier call of the session and its decision."""

    server: str
    tool: str
    decision: Literal["allow", "redact", "ask", "deny"]
    taint: TrustName


class PolicyInput(_Doc):
    """The document a policy is evaluated on: one event in its session."""

    version: Literal["mcp-firewall.policy-input/1"] = "mcp-firewall.policy-input/1"
    phase: Phase
    principal: str
    session: SessionDoc
    server: ServerDoc
    tool: ToolDoc | None = Field(
        default=None, description="the tool called (call) or that produced the result"
    )
    arguments: dict[str, Any] | None = Field(default=None, description="the call's arguments (call phase)")
    provenance: ProvenanceDoc | None = Field(default=None, description="the call's provenance (call phase)")
    content: ContentDoc | None = Field(default=None, description="what the server sent (other phases)")
    findings: list[FindingDoc] = Field(
        default_factory=list, description="earlier stages' findings (detectors)"
    )
    history: list[HistoryDoc] = Field(
        default_factory=list, description="the session's recent calls, oldest first"
    )


class OutputFinding(BaseModel):
    """One finding a policy returns: its rule, reason, level, pack and span."""

    rule_id: str
    reason: str = ""
    level: Literal["deny", "ask", "redact"]
    pack: str = ""
    span: SpanDoc | None = None


class PolicyOutput(BaseModel):
    """data.mcp_firewall.result"""

    decision: Literal["allow", "deny", "ask", "redact"]
    findings: list[OutputFinding] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)

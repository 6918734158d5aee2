"""Replay an agent trace through the real firewall: one JSONL decision per step.

The trace (docs/trace-format.md) scripts both sides: what the agent asks (tool lists, calls,
resource reads, prompts; user and system messages) and what each server answers. Replay serves
the answers from in-process MCP servers behind the real relay and pipeline (`InMemoryGateway`),
drives them with the SDK's `Client`, and reads every decision back from the audit stream, so a
trace is decided exactly as the same session through `mcp-firewall serve` would be.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import mcp_types as types
from mcp import Client
from mcp.server import Server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from firewall.approve.approvers import Approver, CallableApprover, unavailable
from firewall.approve.question import Answer, Choice, Question
from firewall.audit import AuditRecord
from firewall.core.events import Decision
from firewall.guard.firewall import Firewall
from firewall.tools.harness import InMemoryGateway

Expected = Literal["allow", "redact", "deny", "ask"]
"""A decision a trace line may expect; "ask" means the call was put to a person, whatever the
answer (the final decision of an ASK is allow or deny)."""


class KnownGap(BaseModel):
    """A step the firewall gets wrong today, on record: what it does instead, and why."""

    model_config = ConfigDict(extra="forbid")

    got: str
    why: str


class _Line(BaseModel):
    model_config = ConfigDict(extra="allow")  # benchmarks may carry their own fields along

    expect: Expected | list[Expected] | None = None
    """The decision the step must get (any of a list); checked by `replay --check`."""
    expect_rules: list[str] = Field(default_factory=list)
    """Rule ids that must be among the step's findings."""
    known_gap: KnownGap | None = None
    """The expectation is right and unmet: --check accepts exactly this other decision."""


class ToolsList(_Line):
    """`tools_list`: the server's tool list from here on (a later one changes it: a rug pull); the
    agent lists tools."""

    type: Literal["tools_list"]
    server: str
    tools: list[dict[str, Any]]


class Call(_Line):
    """`call`: the agent calls the server's tool (by the server's own name, not the gateway's);
    `id` is unique, and the `result` with the same id is the server's answer."""

    type: Literal["call"]
    id: str | int
    server: str
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    approve: Choice | None = None
    """The person's answer if the call asks: approve once, for the session, or deny (else the
    trace's default from its last `approve` line, else replay's approver model)."""


class Approve(_Line):
    """`approve`: from here on, a call that asks and scripts no `approve` of its own gets `answer`
    (null: nobody answers, and the call is denied as approval_unavailable)."""

    type: Literal["approve"]
    answer: Choice | None


class Result(_Line):
    """`result`: what the server returns for the call with this `id`; decided when that call runs,
    `not_executed` when it was denied."""

    type: Literal["result"]
    id: str | int
    content: str | list[dict[str, Any]] = ""
    structuredContent: dict[str, Any] | None = None
    isError: bool = False


class Resource(_Line):
    """`resource`: the agent reads `uri` from the server, which answers with `content`."""

    type: Literal["resource"]
    server: str
    uri: str
    content: str = ""
    mimeType: str = "text/plain"


class Prompt(_Line):
    """`prompt`: the agent gets the server's prompt `name`; the server answers with `content` as
    one user message."""

    type: Literal["prompt"]
    server: str
    name: str
    arguments: dict[str, str] = Field(default_factory=dict)
    content: str = ""


class Message(_Line):
    """`user` or `system`: the text enters the session's provenance graph as trusted."""

    type: Literal["user", "system"]
    content: str


TraceLine = Annotated[
    ToolsList | Call | Result | Resource | Prompt | Message | Approve, Field(discriminator="type")
]
_LINE = TypeAdapter(TraceLine)


class TraceError(ValueError):
    """A trace that cannot be replayed; the message names the line."""


def parse_trace(lines: Iterable[Any], source: str = "trace") -> list[TraceLine]:
    """Validate trace lines (dicts) and their cross-references; errors name the 1-based line."""
    steps: list[TraceLine] = []
    calls: dict[str | int, dict[str, Any] | None] = {}
    """call id -> the called tool's definition as last listed (None if unlisted)"""
    listed: dict[str, dict[str, dict[str, Any]]] = {}
    for number, raw in enumerate(lines, 1):
        try:
            step = _LINE.validate_python(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            raise TraceError(f"{source} line {number}: {problems}") from None
        if isinstance(step, ToolsList):
            listed[step.server] = {str(t.get("name")): t for t in step.tools}
        if isinstance(step, Call):
            if step.id in calls:
                raise TraceError(f"{source} line {number}: call id {step.id!r} is used twice")
            calls[step.id] = listed.get(step.server, {}).get(step.tool)
        if isinstance(step, Result):
            if step.id not in calls:
                raise TraceError(
                    f"{source} line {number}: result for call {step.id!r}, which no earlier line makes"
                )
            tool = calls[step.id] or {}
            if tool.get("outputSchema") and step.structuredContent is None and not step.isError:
                raise TraceError(
                    f"{source} line {number}: {tool.get('name')} declares an outputSchema, so its result "
                    "needs structuredContent (an MCP client rejects it otherwise)"
                )
        steps.append(step)
    return steps


def read_trace(path: Path) -> list[TraceLine]:
    """Read and validate a JSONL trace file (blank lines skipped); TraceError names the bad line."""
    rows = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise TraceError(f"{path} line {number}: not JSON: {exc}") from None
    return parse_trace(rows, str(path))


class ScriptedServer:
    """One server of the trace: its current tool list, canned results by call id, resources, prompts."""

    def __init__(self, name: str, steps: Sequence[TraceLine]) -> None:
        self.name = name
        self.tools: list[types.Tool] = []
        self.current_call: str | int | None = None
        self.results = {s.id: s for s in steps if isinstance(s, Result)}
        self.resources = {s.uri: s for s in steps if isinstance(s, Resource) and s.server == name}
        self.prompts = {s.name: s for s in steps if isinstance(s, Prompt) and s.server == name}
        self.server: Server[Any] = Server(
            name,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_read_resource=self._read_resource,
            on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt,
        )

    async def _list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=self.tools)

    async def _call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        result = self.results.get(self.current_call) if self.current_call is not None else None
        if result is None:
            return types.CallToolResult(content=[])
        blocks = (
            [{"type": "text", "text": result.content}] if isinstance(result.content, str) else result.content
        )
        return types.CallToolResult.model_validate(
            {"content": blocks, "structuredContent": result.structuredContent, "isError": result.isError}
        )

    async def _list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(uri=uri, name=uri, mime_type=r.mimeType) for uri, r in self.resources.items()
            ]
        )

    async def _read_resource(
        self, ctx: Any, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        found = self.resources.get(str(params.uri))
        if found is None:
            raise ValueError(f"no resource {params.uri} in the trace")
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=found.uri, text=found.content, mime_type=found.mimeType)]
        )

    async def _list_prompts(self, ctx: Any, params: Any) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[types.Prompt(name=name) for name in self.prompts])

    async def _get_prompt(self, ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
        found = self.prompts.get(params.name)
        if found is None:
            raise ValueError(f"no prompt {params.name} in the trace")
        return types.GetPromptResult(
            messages=[
                types.PromptMessage(role="user", content=types.TextContent(type="text", text=found.content))
            ]
        )


def servers_of(steps: Sequence[TraceLine]) -> list[str]:
    """The servers the trace's lines name, in order of first mention."""
    return list(dict.fromkeys(s.server for s in steps if isinstance(s, ToolsList | Call | Resource | Prompt)))


class ScriptedPerson:
    """The person of a trace: answers an ask with the current call's scripted answer, else the
    trace's default, else the approver model replay runs with; None anywhere down that chain is
    nobody answering (a denial, firewall.approval_unavailable, as with no approver)."""

    def __init__(self, model: Choice | None = None) -> None:
        self.default = model
        self.current: Choice | None = None
        self.approver: Approver = CallableApprover(self._decide, by="the trace's person", via="replay")

    def _decide(self, question: Question) -> Answer | Choice:
        if self.current is None:
            return unavailable("the trace scripts no answer for this call")
        return self.current

    def at(self, step: Call) -> None:
        """The call about to run: its own answer, or the default."""
        self.current = step.approve if step.approve is not None else self.default


async def replay(
    steps: Sequence[TraceLine],
    firewall: Firewall,
    *,
    separator: str = "__",
    approve: Choice | None = None,
) -> list[dict[str, Any]]:
    """Run the trace; one output dict per step, in order (docs/trace-format.md). A call the policy
    asks about is decided by `FirewallSession.check_call` with the trace's scripted answer (its
    `approve`, the last `approve` line's, else `approve` here; None: nobody answers)."""
    scripted = {name: ScriptedServer(name, steps) for name in servers_of(steps)}
    gateway = InMemoryGateway(firewall, {n: s.server for n, s in scripted.items()}, separator=separator)
    records: list[AuditRecord] = []
    firewall.audit.observe(records.append)
    person = ScriptedPerson(approve)
    # The agent's client declares no elicitation, so the relay asks the firewall's own approver.
    saved, firewall.approver = firewall.approver, person.approver
    out: list[dict[str, Any]] = []
    result_records: dict[str | int, AuditRecord | None] = {}
    seen_results: dict[str | int, str] = {}
    try:
        async with Client(gateway, mode="legacy") as client:
            for number, step in enumerate(steps, 1):
                mark = len(records)
                row: dict[str, Any] = {"step": number, "type": step.type}
                if isinstance(step, Message):
                    gateway.session.add_message(step.type, step.content)
                    row["decision"] = "recorded"
                elif isinstance(step, Approve):
                    person.default = step.answer
                    row["decision"] = "recorded"
                elif isinstance(step, ToolsList):
                    scripted[step.server].tools = [types.Tool.model_validate(_tool(t)) for t in step.tools]
                    listed = await client.list_tools()
                    mine = [r for r in records[mark:] if r.kind == "tool_list" and r.server == step.server]
                    prefix = step.server + separator
                    row |= {"server": step.server, **_decided(mine)}
                    row["seen"] = {
                        t.name[len(prefix) :]: t.description
                        for t in listed.tools
                        if t.name.startswith(prefix)
                    }
                elif isinstance(step, Call):
                    scripted[step.server].current_call = step.id
                    person.at(step)
                    called = await client.call_tool(step.server + separator + step.tool, step.arguments)
                    mine = [r for r in records[mark:] if r.kind == "tool_call"]
                    row |= {"id": step.id, "server": step.server, "tool": step.tool, **_decided(mine)}
                    row |= _asked(mine)
                    if mine and mine[-1].provenance:
                        row["provenance"] = mine[-1].provenance
                    executed = row["decision"] != "deny"
                    result_records[step.id] = (
                        next((r for r in records[mark:] if r.kind == "tool_result"), None)
                        if executed
                        else None
                    )
                    seen_results[step.id] = _text(called.content)
                    if not executed:
                        row["seen"] = seen_results[step.id]
                elif isinstance(step, Result):
                    record = result_records.get(step.id)
                    row["id"] = step.id
                    if record is None:
                        row["decision"] = "not_executed"
                    else:
                        row |= {"server": record.server, **_decided([record])}
                        row["seen"] = seen_results.get(step.id, "")
                elif isinstance(step, Resource):
                    # a withheld read or prompt reaches the agent as a JSON-RPC error: that is what it saw
                    try:
                        read = await client.read_resource(f"{step.server}+{step.uri}")
                        seen = "".join(getattr(c, "text", "") for c in read.contents)
                    except MCPError as exc:
                        seen = f"error: {exc}"
                    mine = [r for r in records[mark:] if r.kind == "content"]
                    row |= {"server": step.server, "uri": step.uri, **_decided(mine)}
                    row["seen"] = seen
                elif isinstance(step, Prompt):
                    try:
                        got = await client.get_prompt(
                            step.server + separator + step.name, step.arguments or None
                        )
                        seen = _text([m.content for m in got.messages])
                    except MCPError as exc:
                        seen = f"error: {exc}"
                    mine = [r for r in records[mark:] if r.kind == "content"]
                    row |= {"server": step.server, "name": step.name, **_decided(mine)}
                    row["seen"] = seen
                _check(step, row)
                out.append(row)
    finally:
        firewall.approver = saved
        firewall.audit.observers.remove(records.append)
    return out


def _asked(records: Sequence[AuditRecord]) -> dict[str, Any]:
    """Whether the call was put to a person, the question's text, and the answer (None when nobody
    answered); a grant from an earlier "approve for this session" answers without asking."""
    approval = next((r.approval for r in records if r.approval), None)
    if not approval:
        return {"asked": False}
    if "grant" in approval:
        return {"asked": True, "question": approval["question"]["text"], "answer": "grant"}
    answer = approval.get("answer") if approval.get("via") != "none" else None
    return {"asked": True, "question": approval["question"]["text"], "answer": answer}


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    return {"inputSchema": {"type": "object"}, **tool}


def _text(content: Sequence[Any]) -> str:
    return "\n".join(getattr(block, "text", "") for block in content)


def _decided(records: Sequence[AuditRecord]) -> dict[str, Any]:
    """The step's decision: the most severe of its records (a denied call has only one)."""
    if not records:
        return {"decision": "none"}
    worst = max(records, key=lambda r: Decision.parse(r.decision))
    findings = [f.model_dump(exclude_none=True) for r in records for f in r.findings]
    return {
        "decision": worst.decision,
        "rule_ids": sorted({f["rule_id"] for f in findings}),
        "findings": findings,
    }


def _check(step: TraceLine, row: dict[str, Any]) -> None:
    if step.expect is None and not step.expect_rules:
        return
    wanted = [step.expect] if isinstance(step.expect, str) else step.expect
    ok = wanted is None or row["decision"] in wanted or ("ask" in wanted and row.get("asked", False))
    missing = [r for r in step.expect_rules if r not in row.get("rule_ids", [])]
    row["expect"] = step.expect
    if step.expect_rules:
        row["expect_rules"] = step.expect_rules
    row["ok"] = ok and not missing
    if step.known_gap is not None:
        row["known_gap"] = step.known_gap.why
        got = "ask" if row.get("asked") else row["decision"]
        row["gap_holds"] = not row["ok"] and step.known_gap.got in (got, row["decision"])


class Scenario(BaseModel):
    """A trace with its purpose, its firewall config and the decisions it must get (scenarios/)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    category: str
    threat: str
    source: str
    """Where the technique comes from (a paper, an advisory, a benchmark)."""
    benign: bool = False
    """A look-alike that must pass."""
    config: dict[str, Any] = Field(default_factory=dict)
    """Overlaid on the base configuration (same keys as the TOML file)."""
    trace: list[dict[str, Any]]


def load_replay_input(path: Path) -> tuple[list[TraceLine], Scenario | None]:
    """A JSONL trace, or a JSON scenario (its trace inside)."""
    if path.suffix == ".json":
        try:
            scenario = Scenario.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise TraceError(f"{path}: not a valid scenario: {exc}") from None
        return parse_trace(scenario.trace, str(path)), scenario
    return read_trace(path), None


def overlay(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge config tables: the scenario's keys win, tables merge."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = value
    return merged

"""LangChain tools as the firewall sees them, and `guard_tool` for programs without the agent
middleware.

A tool is named to the firewall as (server, tool). Tools loaded from an MCP server
(`mcp_tools`) carry their server and their MCP definition (description, schema, annotations) in
`tool.metadata["mcp_firewall"]`. Any other tool is an in-process tool of a configurable server
(default "local") with no MCP annotations, so the firewall assumes the worst of it (it may change
things and reach the outside world; docs/provenance.md): declare what it is with `describe_tool`
(`read_only=True`, or MCP `annotations`) so that, for example, a lookup whose argument came from an
untrusted page is not treated as a send.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from langchain_core.utils.function_calling import convert_to_openai_tool

from firewall.guard.session import CallCheck, as_result
from mcp_firewall_adapters.langchain.approval import approver_for, ask_in_graph, asked
from mcp_firewall_adapters.session import RuntimeSession, fingerprint

META = "mcp_firewall"
"""The key in `BaseTool.metadata` holding {"server": ..., "definition": MCP Tool dict}."""
DEFAULT_SERVER = "local"
_HINTS = ("title", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def annotations_for(
    annotations: Mapping[str, Any] | None = None, *, read_only: bool | None = None
) -> dict[str, Any] | None:
    """MCP tool annotations from `annotations` and the `read_only` shorthand (a read-only tool is
    not destructive; it may still reach the outside world unless openWorldHint is False)."""
    merged = dict(annotations or {})
    if read_only is not None:
        merged["readOnlyHint"] = read_only
        if read_only:
            merged.setdefault("destructiveHint", False)
    return merged or None


def describe_tool(
    tool: BaseTool,
    *,
    server: str | None = None,
    annotations: Mapping[str, Any] | None = None,
    read_only: bool | None = None,
) -> BaseTool:
    """Tell the firewall which server a tool belongs to and what it does (MCP annotations); returns
    the same tool, its metadata updated."""
    entry = dict((tool.metadata or {}).get(META) or {})
    definition = tool_definition(tool)
    merged = annotations_for(
        {**(definition.get("annotations") or {}), **(annotations or {})}, read_only=read_only
    )
    if merged:
        definition["annotations"] = merged
    entry["definition"] = definition
    if server is not None:
        entry["server"] = server
    tool.metadata = {**(tool.metadata or {}), META: entry}
    return tool


def tool_definition(tool: BaseTool) -> dict[str, Any]:
    """The tool as an MCP Tool dict: its MCP definition when it came from an MCP server, else
    built from its name, description and call schema (and annotation hints in its metadata, as
    other MCP loaders put them there)."""
    entry = (tool.metadata or {}).get(META)
    if isinstance(entry, dict) and isinstance(entry.get("definition"), dict):
        return dict(entry["definition"])
    function = convert_to_openai_tool(tool)["function"]
    definition: dict[str, Any] = {
        "name": tool.name,
        "description": function.get("description") or tool.description or "",
        "inputSchema": function.get("parameters") or {"type": "object", "properties": {}},
    }
    hints = {k: v for k, v in (tool.metadata or {}).items() if k in _HINTS}
    if hints:
        definition["annotations"] = hints
    return definition


def server_of(tool: BaseTool | None, default: str = DEFAULT_SERVER) -> str:
    """The server in the tool's `mcp_firewall` metadata (set by `mcp_tools` or `describe_tool`),
    else `default`."""
    entry = (tool.metadata or {}).get(META) if tool is not None else None
    if isinstance(entry, dict) and isinstance(entry.get("server"), str):
        return str(entry["server"])
    return default


def message_result(message: ToolMessage) -> dict[str, Any]:
    """What a ToolMessage shows the model, as an MCP CallToolResult dict (text and other blocks;
    `structured_content` from an MCP loader's artifact)."""
    content = message.content
    blocks: list[dict[str, Any]] = []
    for item in [content] if isinstance(content, str) else content:
        if isinstance(item, str):
            blocks.append({"type": "text", "text": item})
        elif isinstance(item, dict) and item.get("type") == "text":
            blocks.append({"type": "text", "text": str(item.get("text", ""))})
        elif isinstance(item, dict) and item.get("type") == "image" and "base64" in item:
            blocks.append({"type": "image", "data": item["base64"], "mimeType": item.get("mime_type", "")})
        elif isinstance(item, dict):
            blocks.append({"type": "text", "text": json.dumps(item, default=str)})
    result: dict[str, Any] = {"content": blocks}
    artifact = message.artifact
    if isinstance(artifact, dict) and isinstance(artifact.get("structured_content"), dict):
        result["structuredContent"] = artifact["structured_content"]
    if message.status == "error":
        result["isError"] = True
    return result


def shown_message(message: ToolMessage, result: dict[str, Any], *, denied: bool) -> ToolMessage:
    """The ToolMessage the model gets for a redacted or denied result."""
    texts = [b.get("text", "") for b in result.get("content", []) if isinstance(b, dict)]
    structured = result.get("structuredContent")
    return ToolMessage(
        content=texts[0] if len(texts) == 1 else "\n".join(texts),
        tool_call_id=message.tool_call_id,
        name=message.name,
        id=message.id,
        status="error" if denied else message.status,
        artifact={"structured_content": structured} if isinstance(structured, dict) and not denied else None,
    )


def guard_tool(
    tool: BaseTool,
    session: RuntimeSession,
    *,
    server: str | None = None,
    annotations: Mapping[str, Any] | None = None,
    read_only: bool | None = None,
) -> BaseTool:
    """A copy of `tool` that asks the firewall before it runs and before its output is returned.

    A denied call or result raises ToolException (the agent gets the reason as an error
    ToolMessage); a redacted output is returned as its redacted text. A call the policy asks
    about goes to the session's approver; without one, inside a LangGraph graph with a
    checkpointer, the graph pauses for the person (mcp_firewall_adapters.langchain.approval), else
    it is denied. The tool is registered with
    the session (as in a tools/list) on its first call; `server` defaults to the tool's own
    (`describe_tool`, `mcp_tools`) or "local". Injected arguments (ToolRuntime, InjectedToolArg) are
    not supported here: use `FirewallMiddleware` for such tools.
    """
    if annotations is not None or read_only is not None:
        describe_tool(tool, annotations=annotations, read_only=read_only)
    name_on_server = tool_definition(tool)["name"]
    where = server or server_of(tool)
    session.declared.setdefault(where, {})[name_on_server] = tool_definition(tool)

    async def decide_call(arguments: dict[str, Any], approver: Any) -> CallCheck:
        await session.ensure_declared(where, name_on_server)
        return await session.decide_call(where, name_on_server, arguments, None, approver)

    def key(arguments: dict[str, Any]) -> str:  # a plain tool is not told its tool call's id
        return fingerprint([where, name_on_server, arguments])

    def finish(check: Any, output: Any, shown: Any) -> Any:
        if not shown.allowed:
            raise ToolException(shown.text)
        return shown.text if shown.redacted else output

    def run(**arguments: Any) -> Any:
        check = asked(session).get(key(arguments))
        if check is None:
            check = session.runtime.run(decide_call, arguments, approver_for(session))
        if check.pending:
            check = session.answer(check, ask_in_graph(session, key(arguments), check, tool.name, None))
        if not check.allowed:
            raise ToolException(check.message)
        output = tool.invoke(check.arguments or {})
        return finish(check, output, session.runtime.run(session.decide_result, check, as_result(output)))

    async def arun(**arguments: Any) -> Any:
        check = asked(session).get(key(arguments))
        if check is None:
            check = await session.runtime.arun(decide_call, arguments, approver_for(session))
        if check.pending:
            check = await session.aanswer(
                check, ask_in_graph(session, key(arguments), check, tool.name, None)
            )
        if not check.allowed:
            raise ToolException(check.message)
        output = await tool.ainvoke(check.arguments or {})
        return finish(
            check, output, await session.runtime.arun(session.decide_result, check, as_result(output))
        )

    return StructuredTool(
        name=tool.name,
        description=tool.description,
        args_schema=tool.args_schema
        if tool.args_schema is not None
        else tool_definition(tool)["inputSchema"],
        func=run,
        coroutine=arun,
        handle_tool_error=True,
        return_direct=tool.return_direct,
        metadata={**(tool.metadata or {}), META: {"server": where, "definition": tool_definition(tool)}},
        tags=tool.tags,
    )


def guard_tools(
    tools: Sequence[BaseTool],
    session: RuntimeSession,
    *,
    server: str | None = None,
    read_only: Sequence[str] = (),
) -> list[BaseTool]:
    """`guard_tool` for each tool; `read_only`: names of the tools that only read."""
    return [
        guard_tool(t, session, server=server, read_only=True if t.name in read_only else None) for t in tools
    ]

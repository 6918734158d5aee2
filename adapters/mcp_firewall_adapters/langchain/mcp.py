"""Tools of an MCP server as LangChain tools, through this project's MCP SDK (`mcp.Client`).

langchain-mcp-adapters needs the 1.x MCP SDK and this project runs on 2.x, so this small loader
does its job for the firewall: each tool keeps its server's name and its MCP definition
(`tool.metadata["mcp_firewall"]`), so `FirewallMiddleware` decides it as the relay would decide the
same server behind `mcp-firewall wrap`. The tools are async (the client is), and their artifact
carries the result's structured content as langchain-mcp-adapters does ({"structured_content": ...}).
Tools from langchain-mcp-adapters work with the middleware too: name their server with
`FirewallMiddleware(servers={tool_name: server})` (their annotations are read from their metadata).
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from mcp import Client

from mcp_firewall_adapters.langchain.tools import META


async def mcp_tools(client: Client, server: str, *, prefix: str = "") -> list[BaseTool]:
    """The server's tools (all pages), named `prefix + name` for the model; `server` is the name
    the firewall knows the server by (its [provenance.servers.NAME] labels, rules and grants)."""
    tools: list[BaseTool] = []
    cursor: str | None = None
    while True:
        page = await client.list_tools(cursor=cursor)
        for tool in page.tools:
            definition = tool.model_dump(by_alias=True, exclude_none=True, mode="json")
            tools.append(_tool(client, server, prefix, definition))
        cursor = page.next_cursor
        if not cursor:
            return tools


def _tool(client: Client, server: str, prefix: str, definition: dict[str, Any]) -> BaseTool:
    name = definition["name"]

    async def call(**arguments: Any) -> tuple[Any, dict[str, Any] | None]:
        result = await client.call_tool(name, arguments)
        raw = result.model_dump(by_alias=True, exclude_none=True, mode="json")
        blocks = [_block(b) for b in raw.get("content", [])]
        texts = [b["text"] for b in blocks if b.get("type") == "text"]
        if raw.get("isError"):
            raise ToolException("\n".join(texts) or f"{name} failed")
        content: Any = texts[0] if len(blocks) == 1 and len(texts) == 1 else blocks
        structured = raw.get("structuredContent")
        return content, {"structured_content": structured} if isinstance(structured, dict) else None

    return StructuredTool(
        name=prefix + name,
        description=definition.get("description") or "",
        args_schema=definition.get("inputSchema") or {"type": "object", "properties": {}},
        coroutine=call,
        response_format="content_and_artifact",
        handle_tool_error=True,
        metadata={META: {"server": server, "definition": definition}},
    )


def _block(block: dict[str, Any]) -> dict[str, Any]:
    """An MCP content block as a LangChain content block (text and images; others as JSON text)."""
    if block.get("type") == "text":
        return {"type": "text", "text": block.get("text", "")}
    if block.get("type") == "image":
        return {"type": "image", "base64": block.get("data", ""), "mime_type": block.get("mimeType", "")}
    return {"type": "text", "text": json.dumps(block)}

"""Agents SDK values as the firewall reads them: tool outputs as MCP results, run input items as
user messages, tool definitions as MCP Tool dicts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from firewall.guard.session import as_result


def output_result(output: Any) -> dict[str, Any]:
    """What a tool returned (a string, an SDK ToolOutput text/image dict or model, a list of them,
    or any value) as an MCP CallToolResult dict."""
    if hasattr(output, "model_dump") and getattr(output, "type", None) in ("text", "image", "file"):
        output = output.model_dump(mode="json")
    if isinstance(output, Mapping) and output.get("type") in ("text", "image", "file"):
        return {"content": [_block(output)]}
    if isinstance(output, list) and output and all(_is_part(item) for item in output):
        parts = [item.model_dump(mode="json") if hasattr(item, "model_dump") else item for item in output]
        return {"content": [_block(part) for part in parts]}
    return as_result(output)


def _is_part(item: Any) -> bool:
    kind = item.get("type") if isinstance(item, Mapping) else getattr(item, "type", None)
    return kind in ("text", "image", "file")


def _block(part: Mapping[str, Any]) -> dict[str, Any]:
    if part.get("type") == "text":
        return {"type": "text", "text": str(part.get("text", ""))}
    return {"type": "text", "text": json.dumps(dict(part), default=str)}


def user_texts(items: Iterable[Any]) -> list[str]:
    """The user's messages among a run's input items (plain or Responses-style content parts)."""
    texts = []
    for item in items:
        role = item.get("role") if isinstance(item, Mapping) else getattr(item, "role", None)
        if role != "user":
            continue
        content = item.get("content") if isinstance(item, Mapping) else getattr(item, "content", None)
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            parts = [p.get("text") if isinstance(p, Mapping) else getattr(p, "text", None) for p in content]
            text = "\n".join(p for p in parts if isinstance(p, str))
            if text:
                texts.append(text)
    return texts


def function_tool_definition(tool: Any, annotations: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A FunctionTool as an MCP Tool dict (the annotations are the firewall's only hint of what it
    does: none means the worst, see docs/provenance.md)."""
    definition: dict[str, Any] = {
        "name": tool.name,
        "description": tool.description or "",
        "inputSchema": dict(tool.params_json_schema or {"type": "object", "properties": {}}),
    }
    if annotations:
        definition["annotations"] = dict(annotations)
    return definition


def mcp_tool_definition(tool: Any) -> dict[str, Any]:
    """An MCP Tool model (as the SDK lists it) as the dict the server sent, less its output schema:
    the SDK never shows the model an output schema, and hands results to the model (and to the
    output guardrail) as text, which is what the firewall decides. (A trace whose tool declares an
    output schema but whose results carry no structured content is not a valid MCP exchange.)"""
    definition = (
        tool.model_dump(by_alias=True, exclude_none=True, mode="json")
        if hasattr(tool, "model_dump")
        else dict(tool)
    )
    definition.pop("outputSchema", None)
    return dict(definition)

"""What an MCP tool result says, as the tests read it."""

from __future__ import annotations

from typing import Any


def result_text(result: Any) -> str:
    """The text of a CallToolResult's content blocks (and of embedded text resources), joined by
    newlines."""
    parts: list[str] = []
    for item in result.content:
        text = getattr(item, "text", None)
        resource = getattr(item, "resource", None)
        if text is None and resource is not None:
            text = getattr(resource, "text", None)
        if isinstance(text, str):
            parts.append(text)
    return "\n".join(parts)

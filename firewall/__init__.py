"""mcp-firewall: an MCP-protocol interposer that decides every tool call and tool result."""

__version__ = "0.1.0"

"""mcp-firewall for LangChain 1.x agents (`pip install 'mcp-firewall[langchain]'`).

- `FirewallMiddleware`: agent middleware deciding every tool call and result, the tool lists the
  model is shown, and user messages (trusted);
- `guard_tool` / `guard_tools`: the same decisions around plain langchain-core tools, for programs
  without the agent middleware;
- `mcp_tools`: an MCP server's tools as LangChain tools that name their server to the firewall;
- `describe_tool`: declare an in-process tool's server and MCP annotations (e.g. read-only).
"""

from mcp_firewall_adapters.langchain.mcp import mcp_tools
from mcp_firewall_adapters.langchain.middleware import FirewallMiddleware
from mcp_firewall_adapters.langchain.tools import describe_tool, guard_tool, guard_tools, tool_definition
from mcp_firewall_adapters.runtime import FirewallRuntime

__all__ = [
    "FirewallMiddleware",
    "FirewallRuntime",
    "describe_tool",
    "guard_tool",
    "guard_tools",
    "mcp_tools",
    "tool_definition",
]

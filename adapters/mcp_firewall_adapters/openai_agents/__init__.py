"""mcp-firewall for the OpenAI Agents SDK (`pip install 'mcp-firewall[openai-agents]'`).

- `AgentsFirewall.protect(server)`: tool input and output guardrails and a tool filter on an MCP
  server object (MCPServerStdio, MCPServerStreamableHttp, ...);
- `AgentsFirewall.protect_tools(tools)`: the guardrails on function tools;
- `AgentsFirewall.hooks`: run hooks adding the system prompt and user messages as trusted.
"""

from mcp_firewall_adapters.openai_agents.firewall import AgentsFirewall, FirewallRunHooks
from mcp_firewall_adapters.runtime import FirewallRuntime

__all__ = ["AgentsFirewall", "FirewallRunHooks", "FirewallRuntime"]

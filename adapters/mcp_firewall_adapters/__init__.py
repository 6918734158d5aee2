"""mcp-firewall for agents that call their tools in process: the same policy, provenance graph
and detectors as the MCP relay, through `firewall.guard.session.FirewallSession`.

- `mcp_firewall_adapters.langchain`: LangChain 1.x agent middleware and tool wrappers
  (`pip install 'mcp-firewall[langchain]'`);
- `mcp_firewall_adapters.openai_agents`: OpenAI Agents SDK tool guardrails, MCP tool filter and
  run hooks (`pip install 'mcp-firewall[openai-agents]'`).

This package imports no framework; each subpackage imports only its own.
"""

from mcp_firewall_adapters.runtime import FirewallRuntime, RuntimeClosed
from mcp_firewall_adapters.session import RuntimeSession

__all__ = ["FirewallRuntime", "RuntimeClosed", "RuntimeSession"]

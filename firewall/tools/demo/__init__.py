"""The bundled demo: an inbox MCP server and a scripted agent that drives it through the firewall."""

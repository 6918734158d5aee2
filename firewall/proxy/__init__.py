"""The MCP edges: JSON-RPC framing, transports, links to downstream servers, the relay and the
gateway (namespacing several servers behind one)."""

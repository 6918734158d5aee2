"""How a gateway names what its servers offer: tools and prompts as SERVER__name, URIs as SERVER+uri.

The `+` form keeps a namespaced URI a valid URI (its scheme becomes e.g. `files+file`, like
`git+ssh`), so clients that parse URIs keep working. Server names cannot contain `+` or `__`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Naming:
    """The gateway's names for what its servers offer, and the way back to server and local name."""

    servers: frozenset[str]
    separator: str = "__"

    def name(self, server: str, name: str) -> str:
        """A tool or prompt name as the agent sees it: SERVER__name."""
        return f"{server}{self.separator}{name}"

    def split_name(self, qualified: str) -> tuple[str, str] | None:
        """(server, name) for a qualified tool or prompt name; None unless it names a known server
        and a non-empty name."""
        server, sep, name = qualified.partition(self.separator)
        if not sep or server not in self.servers or not name:
            return None
        return server, name

    def uri(self, server: str, uri: str) -> str:
        """A resource URI (or URI template) as the agent sees it: SERVER+uri."""
        return f"{server}+{uri}"

    def split_uri(self, qualified: str) -> tuple[str, str] | None:
        """(server, uri) for a qualified URI; None unless it names a known server and a non-empty URI."""
        server, sep, uri = qualified.partition("+")
        if not sep or server not in self.servers or not uri:
            return None
        return server, uri

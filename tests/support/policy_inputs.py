"""Policy inputs and pack text shared by the tests of the policy engine and the policy commands."""

from typing import Any

CUSTOM_PACK_HEADER = "package mcp_firewall.packs.custom\n\nimport rego.v1\n\n"
"""The first lines of a custom pack (`package mcp_firewall.packs.custom`)."""

READ_ONLY_CALL: dict[str, Any] = {
    "phase": "call",
    "principal": "local",
    "session": {
        "id": "s",
        "context": {"trust": "trusted", "confidentiality": "public"},
        "counts": {"calls": 0, "denied": 0, "outputs": 0},
    },
    "server": {"name": "files", "trust": "trusted", "confidentiality": "public", "pin": "pinned"},
    "tool": {"name": "read_file", "classes": ["source"], "classes_from": "catalog", "pin": "pinned"},
    "arguments": {"path": "/tmp/notes.txt"},
    "provenance": {"node": 1, "taint": {"trust": "trusted", "confidentiality": "public"}, "derived_from": []},
}
"""A read-only call on a trusted server that the bundled baseline pack allows: any finding on it
comes from the pack under test."""

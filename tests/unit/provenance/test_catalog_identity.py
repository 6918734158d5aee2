"""Catalog entries bind to a server's identity (its command line or URL), not to a tool name alone:
a third-party server's `read_file` does not inherit the local filesystem server's label."""

from firewall.config import ProvenanceConfig
from firewall.core.labels import ToolClass, Trust
from firewall.provenance.labeler import Labeler

FILESYSTEM = "npx -y @modelcontextprotocol/server-filesystem /home/me/project"


def labeler() -> Labeler:
    return Labeler(ProvenanceConfig())  # the builtin catalog, nothing configured


def test_the_reference_filesystem_server_gets_its_catalog_label():
    lab = labeler()
    lab.identify("files", FILESYSTEM)
    assert lab.tool("files", "read_text_file").trust is Trust.INTERNAL
    assert lab.classes_with_origin("files", "write_file", None) == (
        {ToolClass.SOURCE, ToolClass.SINK, ToolClass.DESTRUCTIVE},
        "catalog",
    )


def test_a_third_party_server_with_the_same_tool_names_does_not_inherit_the_label():
    lab = labeler()
    lab.identify("shared-drive", "npx -y acme-file-share-mcp")
    assert lab.tool("shared-drive", "read_file").trust is Trust.UNTRUSTED
    # the entry is not its: its own annotations (or its names) class its tools
    assert lab.classes_with_origin("shared-drive", "read_file", {"readOnlyHint": True})[1] == "annotations"


def test_identification_after_a_lookup_takes_effect():
    lab = labeler()
    assert lab.tool("files", "read_file").trust is Trust.INTERNAL  # no known command: by name
    lab.identify("files", "uvx some-other-server")
    assert lab.tool("files", "read_file").trust is Trust.UNTRUSTED


def test_reference_servers_of_every_kind_are_catalogued():
    lab = labeler()
    for name, command, tool, trust in [
        ("git", "uvx mcp-server-git --repository .", "git_diff_unstaged", Trust.INTERNAL),
        ("memory", "npx -y @modelcontextprotocol/server-memory", "read_graph", Trust.INTERNAL),
        ("time", "uvx mcp-server-time", "get_current_time", Trust.INTERNAL),
        ("fetch", "uvx mcp-server-fetch", "fetch", Trust.UNTRUSTED),
        ("everything", "npx @modelcontextprotocol/server-everything", "echo", Trust.INTERNAL),
    ]:
        lab.identify(name, command)
        assert lab.tool(name, tool).trust is trust, (name, tool)
        assert lab.classes_with_origin(name, tool, None)[1] == "catalog", (name, tool)


def test_a_local_shell_servers_output_is_the_machines_like_the_filesystems():
    lab = labeler()
    for name, command, tool in [
        ("desktop", "npx -y @wonderwhy-er/desktop-commander", "execute_command"),
        ("desktop", "npx -y @wonderwhy-er/desktop-commander", "read_output"),
        ("commands", "npx mcp-server-commands", "run_command"),
        ("sh", "uvx mcp-shell-server", "shell_execute"),
    ]:
        lab.identify(name, command)
        assert lab.tool(name, tool).trust is Trust.INTERNAL, (name, tool)
    # still every class a shell can have, and a third-party server's run_command is untrusted
    assert ToolClass.DESTRUCTIVE in lab.classes("commands", "run_command", None)
    lab.identify("remote", "npx -y acme-cloud-runner")
    assert lab.tool("remote", "run_command").trust is Trust.UNTRUSTED

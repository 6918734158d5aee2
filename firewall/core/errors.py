"""The firewall's one error tree: every error a person must act on derives from FirewallError."""


class FirewallError(Exception):
    """Base class for errors the firewall reports to a person."""


class ConfigError(FirewallError):
    """The configuration file or environment is invalid; the message names the key and the problem."""


class ServerDown(FirewallError):
    """A downstream MCP server exited or its connection broke."""


class AuditWriteError(FirewallError):
    """An audit record could not be written; the decision it records must not take effect."""


class SnapshotError(FirewallError):
    """A session snapshot cannot be restored: corrupt bytes, or a version this firewall does not read."""

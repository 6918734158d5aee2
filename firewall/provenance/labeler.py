"""Which label and which classes content gets, from config: per server, per tool glob, per URI glob.

Servers without an entry get the configured default (untrusted unless said otherwise). A tool's
classes come from the first matching rule that sets them (config rules, then the catalog), else from
its MCP annotations, else from the verb in its name (firewall.provenance.tool_names), else the spec's
worst-case defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any, Literal

from firewall.config import LabelRule, ProvenanceConfig
from firewall.core.labels import Label, ToolClass, classes_from_annotations
from firewall.provenance.tool_names import classes_from_name

ClassOrigin = Literal["config", "catalog", "annotations", "names", "defaults"]
_CACHE_LIMIT = 4096
_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


class Labeler:
    """Labels and tool classes from the [provenance] config (servers, tool and resource rules,
    the catalog), with small bounded caches for the per-event lookups."""

    def __init__(self, config: ProvenanceConfig) -> None:
        self.default = Label.parse(config.default_trust, config.default_confidentiality)
        self.servers = {name: Label.parse(s.trust, s.confidentiality) for name, s in config.servers.items()}
        self.tool_rules = [*config.tools, *config.catalog_rules()]
        self.config_rules = len(config.tools)
        self._class_rules: dict[tuple[str, str], tuple[frozenset[ToolClass], ClassOrigin] | None] = {}
        self._labels: dict[tuple[str, str, str], Label] = {}
        self.resource_rules = list(config.resources)
        self.targets: dict[str, str] = {}
        """server name -> how the firewall reaches it (command line or URL), for rules with `identity`."""

    def identify(self, server: str, target: str) -> None:
        """Record how the firewall reaches a server (its command line or URL): rules with an
        `identity` then apply to it only when the target contains one of their strings."""
        self.targets[server] = target
        self._class_rules.clear()
        self._labels.clear()

    def _applies(self, rule: LabelRule, server: str) -> bool:
        if not fnmatchcase(server, rule.server):
            return False
        target = self.targets.get(server)
        return rule.identity is None or target is None or any(s in target for s in rule.identity)

    def server(self, server: str) -> Label:
        """The server's configured label, or the default for servers without an entry."""
        return self.servers.get(server, self.default)

    def _first(self, rules: list[LabelRule], server: str, field: str, value: str) -> LabelRule | None:
        for rule in rules:
            pattern = getattr(rule, field)
            matches = pattern is not None and fnmatchcase(value, pattern) and self._applies(rule, server)
            if matches and (rule.trust or rule.confidentiality):  # a classes-only rule sets no label
                return rule
        return None

    def _class_rule(self, server: str, tool: str) -> tuple[frozenset[ToolClass], ClassOrigin] | None:
        for index, rule in enumerate(self.tool_rules):
            if (
                rule.classes is not None
                and rule.tool is not None
                and fnmatchcase(tool, rule.tool)
                and self._applies(rule, server)
            ):
                origin: ClassOrigin = "config" if index < self.config_rules else "catalog"
                return frozenset(ToolClass(c) for c in rule.classes), origin
        return None

    def tool(self, server: str, tool: str) -> Label:
        """The label of a tool's results: the first tool rule that sets one, over the server's."""
        key = ("tool", server, tool)
        if key not in self._labels:
            if len(self._labels) > _CACHE_LIMIT:
                self._labels.clear()
            rule = self._first(self.tool_rules, server, "tool", tool)
            base = self.server(server)
            self._labels[key] = base if rule is None else Label.parse(rule.trust, rule.confidentiality, base)
        return self._labels[key]

    def resource(self, server: str, uri: str) -> Label:
        """The label of a resource: the first URI rule that sets one, over the server's."""
        rule = self._first(self.resource_rules, server, "uri", uri)
        base = self.server(server)
        return base if rule is None else Label.parse(rule.trust, rule.confidentiality, base)

    def classes(self, server: str, tool: str, annotations: Mapping[str, Any] | None) -> frozenset[ToolClass]:
        """The tool's classes (see classes_with_origin)."""
        return self.classes_with_origin(server, tool, annotations)[0]

    def classes_with_origin(
        self, server: str, tool: str, annotations: Mapping[str, Any] | None
    ) -> tuple[frozenset[ToolClass], ClassOrigin]:
        """The tool's classes and where they came from: config, catalog, annotations, the verb of its
        name, or the spec's defaults for a tool that says nothing at all (policies may treat declared
        and assumed apart)."""
        key = (server, tool)
        if key not in self._class_rules:  # glob matching over the catalog is slow; tools are few
            if len(self._class_rules) > _CACHE_LIMIT:  # but names come from agents: stay bounded
                self._class_rules.clear()
            self._class_rules[key] = self._class_rule(server, tool)
        found = self._class_rules[key]
        if found is not None:
            return found
        # Annotations are the server's claim, from any server. The spec calls them untrusted unless
        # the server is; a lying one ("read-only" on its collector) is held where that matters: what
        # data may go to it (its clearance, the leakage rules), and pins that see a definition change.
        if any(key in (annotations or {}) for key in _HINTS):
            return classes_from_annotations(annotations), "annotations"
        named = classes_from_name(tool)
        if named is not None:
            return named, "names"
        return classes_from_annotations(None), "defaults"

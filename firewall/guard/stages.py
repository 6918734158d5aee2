"""Built-in stages that need no model and no policy engine: static tool rules, the unknown-tool
check, and the tool-list checks (changed definitions, descriptions that steer another server's tools)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import fnmatchcase

from firewall.config import Rule
from firewall.core.events import Decision, Event, Finding, Span, ToolCall, ToolList, Verdict
from firewall.core.labels import ToolClass
from firewall.core.view import SessionView
from firewall.provenance.labeler import Labeler

_SIDE_EFFECTS = frozenset({ToolClass.SINK, ToolClass.EGRESS, ToolClass.DESTRUCTIVE})


class RuleStage:
    """Config `[[rules]]`: the first rule whose server and tool globs match a call decides it."""

    name = "rules"

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """The first matching rule's decision for a call (None for allow or no match)."""
        if not isinstance(event, ToolCall):
            return None
        for rule in self.rules:
            if fnmatchcase(event.server, rule.server) and fnmatchcase(event.tool, rule.tool):
                decision = Decision.parse(rule.action)
                if decision is Decision.ALLOW:
                    return None
                message = rule.message or f"tool {event.tool!r} on server {event.server!r} is not allowed"
                return Verdict(decision, (Finding(rule.id, message, stage=self.name),))
        return None


class UnknownToolStage:
    """A call to a tool the server never listed is refused before it reaches the server."""

    name = "unknown_tool"

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """DENY for a call whose tool has no definition; no opinion otherwise."""
        if isinstance(event, ToolCall) and event.tool_schema is None:
            return Verdict.deny(
                "firewall.unknown_tool",
                f"unknown tool {event.tool!r}: the server does not list it",
                stage=self.name,
            )
        return None


# A name distinctive enough that a description mentioning it means that tool, not a common word:
# snake_case, kebab-case, dotted or camelCase identifiers ("send_email", "createPullRequest").
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+|[a-z0-9][A-Z][A-Za-z0-9]*)+$")


class ToolListStage:
    """A listed tool's description is redacted (the tool stays listed) when its definition changed
    since this session first saw it (a rug pull; calls to it are denied by policy), or when it names
    a tool of *another* server that changes or sends things (shadowing: instructions for how to use
    someone else's tool)."""

    name = "tool_list"

    def __init__(self, labeler: Labeler) -> None:
        self.labeler = labeler
        """Classes other servers' tools: only side-effecting tools can be shadowed."""

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """REDACT the descriptions of changed or shadowing tools in a tools/list page."""
        if not isinstance(event, ToolList):
            return None
        # Only tools that change or send things can be steered to harm (pointing to another
        # server's read-only tool is ordinary cross-reference).
        others = {
            tool
            for (server, tool), annotations in view.first_annotations().items()
            if server != event.server
            and _IDENTIFIER.match(tool)
            and self.labeler.classes(server, tool, annotations) & _SIDE_EFFECTS
        }
        findings = []
        for index, tool in enumerate(event.result.get("tools") or []):
            if not isinstance(tool, dict) or not isinstance(tool.get("description"), str):
                continue
            name, description = str(tool.get("name")), tool["description"]
            span = Span(("tools", index, "description"), 0, len(description))
            if view.pin_state(event.server, name) == "changed":
                findings.append(
                    Finding(
                        "firewall.tool_definition_changed",
                        f"the definition of {name!r} changed after it was first listed in this session",
                        stage=self.name,
                        severity="high",
                        span=span,
                    )
                )
            named = sorted(
                other
                for other in others
                if re.search(rf"(?<![\w.-]){re.escape(other)}(?![\w-])", description)
            )
            if named:
                findings.append(
                    Finding(
                        "firewall.tool_shadowing",
                        f"the description of {name!r} refers to another server's tool(s) {named}",
                        stage=self.name,
                        severity="high",
                        span=span,
                    )
                )
        return Verdict(Decision.REDACT, tuple(findings)) if findings else None

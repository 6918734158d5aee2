"""Built-in stages that need no model and no policy engine: static tool rules and the unknown-tool check."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from firewall.config import Rule
from firewall.events import Decision, Event, Finding, ToolCall, Verdict

_DECISIONS = {"allow": Decision.ALLOW, "ask": Decision.ASK, "deny": Decision.DENY}


class RuleStage:
    """Config `[[rules]]`: the first rule whose server and tool globs match a call decides it."""

    name = "rules"

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)

    async def decide(self, event: Event) -> Verdict | None:
        if not isinstance(event, ToolCall):
            return None
        for rule in self.rules:
            if fnmatchcase(event.server, rule.server) and fnmatchcase(event.tool, rule.tool):
                decision = _DECISIONS[rule.action]
                if decision is Decision.ALLOW:
                    return None
                message = rule.message or f"tool {event.tool!r} on server {event.server!r} is not allowed"
                return Verdict(decision, (Finding(rule.id, message, stage=self.name),))
        return None


class UnknownToolStage:
    """A call to a tool the server never listed is refused before it reaches the server."""

    name = "unknown_tool"

    async def decide(self, event: Event) -> Verdict | None:
        if isinstance(event, ToolCall) and event.tool_schema is None:
            return Verdict.deny(
                "firewall.unknown_tool",
                f"unknown tool {event.tool!r}: the server does not list it",
                stage=self.name,
            )
        return None

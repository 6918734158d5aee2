"""Text that tells the agent to call one of its tools: "run git_reset on the repository first",
"Call delete_entities for ...". Data a server returns (a file, a mail, a stored memory, a page)
has no business naming the agent's tools in the imperative; an injection does exactly that, and it
does so in content of any label (a contributor's step in the user's own repository, a note stored
in the agent's memory), where the classifier may score it low. This is the deterministic
complement of the classifier for "passages that address the agent".

Only tool names that are distinctive count (with an underscore, hyphen or inner capital, 6+
characters: `git_reset`, `delete_entities`, `sendEmail`; not `fetch` or `echo`), and only after an
imperative verb a few words before. The flagged span is the passage around the mention (the
paragraph or list block it sits in), so the steps around the named tool go with it; a paragraph
longer than PASSAGE_LIMIT is cut to the lines around the mention.

Limits: an instruction that describes the action without the tool's name ("reset the staging
area") is the classifier's; a document about the agent's own tools in the imperative (an MCP
server's README read by the agent) is flagged too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from firewall.core.events import Decision, Event, Finding, Span, ToolCall, ToolList, Verdict, segments
from firewall.core.view import SessionView

RULE_ID = "detect.agent_instruction"
PASSAGE_LIMIT = 2000
_VERBS = (
    r"(?:run|call|invoke|use|execute|trigger|issue|perform|do|apply|then|first|now|please|must|should"
    r"|using|calling|invoking|running|executing)"
)
_DISTINCTIVE = re.compile(
    r"^(?=.{6,64}$)[A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+|[a-z0-9][A-Z][A-Za-z0-9]*)+$"
)
_BLANK = re.compile(r"\n[ \t]*\n")


def distinctive(names: Iterable[str]) -> list[str]:
    """The tool names specific enough that prose naming one means the tool."""
    return sorted({n for n in names if _DISTINCTIVE.match(n)}, key=len, reverse=True)


_BEFORE = re.compile(rf"\b{_VERBS}\b(?:\W+\w+){{0,3}}?\W+`?$", re.IGNORECASE)
"""An imperative verb, then up to three words, right before a mention."""
MAX_OCCURRENCES = 1000
"""Occurrences of one name looked at per text (a text naming a tool a thousand times is flagged by
then, or is a listing of it)."""


def mentions(text: str, names: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, tool) of each passage of `text` that tells the agent to use one of `names`.

    Each name is looked for with str.find (names are few, texts long), and only the few words before
    an occurrence are matched against the verbs, so the cost is linear in the text."""
    lower = text.lower()
    hits: list[tuple[int, int, str]] = []
    for name in names:
        needle = name.lower()
        at = lower.find(needle)
        seen = 0
        while at >= 0 and seen < MAX_OCCURRENCES:
            seen += 1
            end = at + len(needle)
            bounded = (at == 0 or not (lower[at - 1].isalnum() or lower[at - 1] in "_-")) and (
                end == len(lower) or not (lower[end].isalnum() or lower[end] in "_-")
            )
            if bounded and _BEFORE.search(lower[max(0, at - 60) : at]):
                hits.append((at, end, name))
            at = lower.find(needle, end)
    found: list[tuple[int, int, str]] = []
    json_text = text[:64].lstrip()[:1] in ("{", "[")
    for at, end, name in sorted(hits):
        start, stop = _passage(text, at, end, json_text=json_text)
        if found and start <= found[-1][1]:
            found[-1] = (found[-1][0], max(stop, found[-1][1]), found[-1][2])
        else:
            found.append((start, stop, name))
    return found


def _passage(text: str, start: int, end: int, *, json_text: bool = False) -> tuple[int, int]:
    """The paragraph (or list block: lines up to a blank line) around a span, at most
    PASSAGE_LIMIT characters each way; in JSON text, the string literal that holds it (one
    observation, one field, not the document)."""
    if json_text:
        literal = _literal(text, start, end)
        if literal is not None:
            return literal
    low = max(0, start - PASSAGE_LIMIT)
    before = [m.end() for m in _BLANK.finditer(text, low, start)]
    first = before[-1] if before else low
    after = _BLANK.search(text, end, min(len(text), end + PASSAGE_LIMIT))
    last = after.start() if after else min(len(text), end + PASSAGE_LIMIT)
    if last - first > PASSAGE_LIMIT:  # a wall of text: the lines around the mention
        first = max(first, text.rfind("\n", low, max(start - 1, 0)) + 1)
        newline = text.find("\n", end, last)
        last = newline if newline >= 0 else last
    return first, last


def _literal(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The JSON string literal (its content, without the quotes) around a span, if any within
    PASSAGE_LIMIT characters each way."""
    low, high = max(0, start - PASSAGE_LIMIT), min(len(text), end + PASSAGE_LIMIT)
    opening = start - 1
    while opening >= low and not (text[opening] == '"' and not _escaped(text, opening)):
        opening -= 1
    closing = end
    while closing < high and not (text[closing] == '"' and not _escaped(text, closing)):
        closing += 1
    if opening < low or closing >= high:
        return None
    return opening + 1, closing


def _escaped(text: str, index: int) -> bool:
    slashes = 0
    while index - slashes - 1 >= 0 and text[index - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


class ToolMentionStage:
    """Flags outputs whose text tells the agent to call one of the session's distinctive tools
    (redact: the passage leaves the output and becomes its own untrusted node in the provenance
    graph, so what it directs is traced and a destructive call after it is denied)."""

    name = "detect.tool_mentions"

    async def decide(self, event: Event, view: SessionView) -> Verdict | None:
        """The mentions in an output's prose, or None."""
        if isinstance(event, ToolCall | ToolList):
            return None  # calls carry the agent's own words; descriptions are pinned and vetted
        names = distinctive(tool for _, tool in view.first_annotations())
        if not names:
            return None
        findings: list[Finding] = []
        for path, text in segments(event).prose:
            for start, end, tool in mentions(text, names):
                findings.append(
                    Finding(
                        RULE_ID,
                        f"the text tells the agent to call {tool}: an instruction inside data",
                        stage=self.name,
                        severity="medium",
                        span=Span(path, start, end),
                    )
                )
        return Verdict(Decision.REDACT, tuple(findings)) if findings else None

"""Whether the user asked, in their own words, for the kind of action a tool performs.

"Find and delete the largest file" asks for a deletion; "summarize my inbox" does not. A tool's
action is the first known verb of its name (as in tool_names: `delete_file` deletes,
`reschedule_calendar_event` reschedules); the user asked for it when a word of theirs is that
verb, an inflection of it ("deleted", "rescheduling"), or a common synonym ("remove" for delete,
"adjust" for update). The answer says nothing about *which* object the user meant: the policy
combines it with where each target came from, so an injection that asks for the same kind of
action as the user, on an object the user never named, is still judged by its targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from firewall.provenance.tool_names import VERBS

_SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "delete remove erase trash drop purge wipe discard destroy clear",
        "update change adjust modify edit amend alter revise correct fix set",
        "reschedule move postpone shift delay rebook",
        "cancel abort withdraw",
        "send email mail reply forward notify tell dm contact",
        "invite add",
        "pay transfer send",
        "reserve book",
        "close resolve",
        "overwrite replace",
        "revert rollback undo",
        "stop kill terminate shutdown halt",
        "revoke disable deactivate suspend",
        "archive",
        "merge",
        "reset",
        "unlock open",
        "lock",
        "share",
        "post publish",
    )
)
"""Verbs a person uses for the same kind of action. Ordinary English, written from the verbs'
meanings, never from a benchmark's prompts."""

_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_TEXT_WORDS = re.compile(r"[a-z]+")


def action_verb(tool: str) -> str | None:
    """The tool's action: the first word of its name that is a known verb (or that heads a
    synonym group, for verbs tool_names does not class, such as "reschedule")."""
    for word in _NAME_WORDS.findall(tool):
        word = word.lower()
        if word in VERBS or any(word in group for group in _SYNONYMS):
            return word
    return None


def _forms(verb: str) -> set[str]:
    """The verb and its regular inflections ("delete": deletes, deleted, deleting)."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", verb + "d", verb + "ed", stem + "ed", stem + "ing", verb + "ing"}
    if len(verb) > 2 and verb[-1] not in "aeiouwy" and verb[-2] in "aeiou":
        forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}  # drop: dropped, dropping
    return forms


def action_requested(tool: str, said: Iterable[str]) -> bool:
    """Whether any of the (normalised) user or system messages names the tool's action."""
    verb = action_verb(tool)
    if verb is None:
        return False
    verbs = {verb}.union(*(group for group in _SYNONYMS if verb in group))
    wanted = set().union(*(_forms(v) for v in verbs))
    return any(word in wanted for text in said for word in _TEXT_WORDS.findall(text))

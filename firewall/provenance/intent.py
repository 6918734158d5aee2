"""Whether the user asked, in their own words, for the kind of action a tool performs.

"Find and delete the largest file" asks for a deletion; "summarize my inbox" does not. A tool's
action is the first known verb of its name (as in tool_names: `delete_file` deletes,
`reschedule_calendar_event` reschedules); the user asked for it when a word of theirs is that
verb, an inflection of it ("deleted", "rescheduling"), or a common synonym ("remove" for delete,
"adjust" for update).

The tool's object is the rest of its name ("password" for update_password, "calendar event" for
reschedule_calendar_event); the user named it when a word of theirs is one of those words, its
plural or a common synonym ("meeting" for event). The policy asks for the verb alone while no text
was flagged ("adjust my rent" is an update of a scheduled transaction) and for the object as well
after a detector flagged text, where an injection's "update the password" must not pass on the
user's "update my address". Neither says *which* record the user meant: the policy combines them
with where each target came from.
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
        "pay transfer send refund reimburse",
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


_OBJECT_SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "file files document documents doc docs attachment",
        "email emails mail mails message messages inbox",
        "message messages dm dms chat note",
        "event events meeting meetings appointment appointments calendar call",
        "money payment payments transfer transfers transaction transactions amount bill rent refund",
        "user users member members person people colleague",
        "channel channels room",
        "hotel hotels room rooms stay accommodation",
        "restaurant restaurants table dinner lunch",
        "car cars rental vehicle",
        "password passwords passphrase credentials",
        "info information details profile address",
        "issue issues ticket tickets bug",
        "repository repositories repo repos project",
        "page pages webpage website site",
    )
)
"""Nouns a person uses for what a tool acts on; like _SYNONYMS, written from the words' meanings."""

_NOT_OBJECTS = frozenset("a an the to from for of by in on at with and or all new my user's current".split())
"""Name words that are not the object ("add_user_to_channel": the object is a user and a channel)."""


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


def object_words(tool: str) -> list[str]:
    """The words of the tool's name after its action verb, less connectives: its object."""
    words = [word.lower() for word in _NAME_WORDS.findall(tool)]
    verb = action_verb(tool)
    rest = words[words.index(verb) + 1 :] if verb in words else words
    return [word for word in rest if word not in _NOT_OBJECTS and len(word) > 1]


def object_named(tool: str, said: Iterable[str]) -> bool:
    """Whether the (normalised) user or system messages name what the tool acts on: a word of its
    object, that word's plural or singular, or a synonym; true for a tool whose name has no object."""
    objects = object_words(tool)
    if not objects:
        return True
    wanted: set[str] = set()
    for word in objects:
        forms = {word, word + "s", word + "es", word[:-1] if word.endswith("s") else word}
        wanted |= forms
        for group in _OBJECT_SYNONYMS:
            if forms & group:
                wanted |= group
    return any(word in wanted for text in said for word in _TEXT_WORDS.findall(text))

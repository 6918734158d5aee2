"""Classes from a tool's name, for tools that declare nothing (no catalog entry, no annotations).

The spec's defaults for a tool without annotations are the worst case (a destructive egress sink),
which makes every unknown server's every tool look like one and so asks about everything. A tool's
name is usually its verb: `get_forecast` reads, `delete_entities` deletes, `send_invoice` sends.
The first word of the name that is a known verb decides (so `slack_post_message` is `post`);
a name with no known verb keeps the spec's defaults. The name is the server's own claim, as
annotations are: what it can change is bounded by what may flow to that server (the data
leakage and provenance rules) and by the pins that catch a definition changing.
"""

from __future__ import annotations

import re

from firewall.core.labels import ToolClass

_SOURCE = {ToolClass.SOURCE}
_SINK = {ToolClass.SOURCE, ToolClass.SINK}
_EGRESS = {ToolClass.SOURCE, ToolClass.SINK, ToolClass.EGRESS}
_DESTRUCTIVE = {ToolClass.SOURCE, ToolClass.SINK, ToolClass.DESTRUCTIVE}
_ANYTHING = {ToolClass.SOURCE, ToolClass.SINK, ToolClass.EGRESS, ToolClass.DESTRUCTIVE}

VERBS: dict[str, frozenset[ToolClass]] = {
    **dict.fromkeys(
        "get list read search find query lookup describe show view check count inspect stat "
        "convert calculate compute parse validate resolve echo explain summarize summarise "
        "translate ping status diff open browse print render preview estimate analyze analyse "
        "retrieve load peek head tail watch verify whoami info".split(),
        frozenset(_SOURCE),
    ),
    **dict.fromkeys(
        "create add insert write save set update edit put append rename move copy tag label mark "
        "star pin commit stage checkout branch init register record store upsert patch modify "
        "enable assign schedule reserve book start restart toggle apply import".split(),
        frozenset(_SINK),
    ),
    **dict.fromkeys(
        "send post email mail message publish share upload invite notify reply forward tweet "
        "transfer pay submit push webhook broadcast dm text call export sync".split(),
        frozenset(_EGRESS),
    ),
    **dict.fromkeys(
        "delete remove drop destroy purge erase wipe truncate reset clear revoke kill terminate "
        "cancel close unlock lock disable overwrite uninstall rollback revert merge rebase archive "
        "deactivate suspend ban block unsubscribe shutdown stop".split(),
        frozenset(_DESTRUCTIVE),
    ),
    **dict.fromkeys("run execute exec eval shell bash sql".split(), frozenset(_ANYTHING)),
}
"""Verb -> classes. Starting and scheduling things changes state (sink); what deletes, overwrites,
unlocks or stops is destructive; what reaches another party is egress; what runs code or queries
can do all of it."""

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def classes_from_name(name: str) -> frozenset[ToolClass] | None:
    """The classes the first known verb in a tool's name implies, or None when no word is a verb."""
    for word in _WORDS.findall(name):
        found = VERBS.get(word.lower())
        if found is not None:
            return found
    return None

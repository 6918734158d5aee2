""" "Approve for this session" grants: what an answer covers, and the session's record of them.

A grant covers later calls of the same tool on the same server with the same argument shape: the
same argument names with values of the same JSON types, and the same value for every argument whose
value came from untrusted content. So approving a write_file after an untrusted page covers the next
write_file, while approving a mail to an address read from a mail covers only that address.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from firewall.approve.question import Answer
from firewall.core.events import ToolCall
from firewall.core.labels import Trust

MAX_GRANTS = 1_000
"""Grants remembered per session; the oldest is forgotten past this."""


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def grant_key(call: ToolCall) -> str:
    """The shape of a traced call that an "approve for this session" answer covers, as a digest."""
    pinned: dict[str, Any] = {}
    if call.provenance is not None:
        for source in call.provenance.arguments:
            if source.label.trust >= Trust.UNTRUSTED and source.path and isinstance(source.path[0], str):
                pinned[source.path[0]] = call.arguments.get(source.path[0])
    shape = {
        "server": call.server,
        "tool": call.tool,
        "arguments": sorted((key, _type(value)) for key, value in call.arguments.items()),
        "pinned": sorted(
            (key, json.dumps(value, sort_keys=True, default=str)) for key, value in pinned.items()
        ),
    }
    blob = json.dumps(shape, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


@dataclass(frozen=True)
class Grant:
    """One "approve for this session" answer: the question it answered and who gave it."""

    question_id: str
    tool: str
    server: str
    answer: Answer

    def to_json(self) -> dict[str, Any]:
        """As later audit records (and the snapshot) carry it."""
        return {
            "question": self.question_id,
            "tool": self.tool,
            "server": self.server,
            **self.answer.to_json(),
        }


@dataclass
class SessionGrants:
    """The session's grants by grant key (bounded, oldest forgotten)."""

    grants: dict[str, Grant] = field(default_factory=dict)

    def find(self, key: str) -> Grant | None:
        """The grant that covers a call of this shape, or None."""
        return self.grants.get(key)

    def add(self, key: str, grant: Grant) -> None:
        """Remember a grant."""
        self.grants.pop(key, None)
        self.grants[key] = grant
        if len(self.grants) > MAX_GRANTS:
            del self.grants[next(iter(self.grants))]

    def dump(self) -> list[dict[str, Any]]:
        """For the session snapshot."""
        return [{"key": key, **grant.to_json()} for key, grant in self.grants.items()]

    @classmethod
    def load(cls, data: list[dict[str, Any]]) -> SessionGrants:
        """From a session snapshot's `dump`."""
        out = cls()
        for item in data:
            answer = Answer(item["answer"], item["by"], item["via"], item["at"])
            out.grants[item["key"]] = Grant(item["question"], item["tool"], item["server"], answer)
        return out

"""The question a person is asked about one call, and the answer they give.

The text is written for a person who sees nothing else: the tool and server, the arguments (secrets
masked), and why the firewall asks, in words: the rules' reasons, and where each flagged value came
from (which server's content, and that it is untrusted).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from firewall.core.events import Decision, Finding, ToolCall, Verdict
from firewall.core.labels import Trust
from firewall.core.payloads import value_at

Choice = Literal["once", "session", "deny"]
CHOICES: tuple[Choice, ...] = ("once", "session", "deny")
CHOICE_TITLES: dict[Choice, str] = {
    "once": "Approve once",
    "session": "Approve for this session (same tool, same argument shape)",
    "deny": "Deny",
}
Via = Literal["elicitation", "mrtr", "page", "cli", "adapter", "callable", "replay", "grant", "none"]

MASK = "••••••"
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[_-]?key|auth|credential|private[_-]?key|cookie", re.I
)
_MAX_VALUE = 300
"""Longer argument values are cut in the question (the person judges the call, not a whole file)."""


def now() -> str:
    """The current UTC time as the audit log writes it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Question:
    """One call put to a person: what would run, and why the firewall asks."""

    id: str
    session: str
    principal: str
    server: str
    tool: str
    arguments: dict[str, Any]
    """The call's arguments as the person sees them: secrets masked, long values cut."""
    reasons: tuple[str, ...]
    """Why it asks, one sentence each."""
    rule_ids: tuple[str, ...]
    grant_key: str
    """What an "approve for this session" answer covers (grants.grant_key)."""
    asked_at: str = field(default_factory=now)

    @property
    def title(self) -> str:
        """One line: the tool and its server."""
        return f"Allow {self.tool} on {self.server}?" if self.server else f"Allow {self.tool}?"

    @property
    def text(self) -> str:
        """The whole question as plain text (an elicitation's message, the page, the terminal)."""
        lines = [
            f"mcp-firewall asks before a call runs: {self.tool}"
            + (f" on server {self.server}" if self.server else "")
        ]
        if self.arguments:
            lines.append("Arguments:")
            lines.extend(f"  {key}: {_shown(value)}" for key, value in self.arguments.items())
        else:
            lines.append("Arguments: none")
        lines.append("Why it asks:")
        lines.extend(f"  - {reason}" for reason in self.reasons)
        lines.append("Approve once, approve for this session (same tool, same argument shape), or deny.")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """As the audit record, the approval page and `mcp-firewall approvals` carry it."""
        return {
            "id": self.id,
            "session": self.session,
            "principal": self.principal,
            "server": self.server,
            "tool": self.tool,
            "arguments": self.arguments,
            "reasons": list(self.reasons),
            "rule_ids": list(self.rule_ids),
            "title": self.title,
            "text": self.text,
            "asked_at": self.asked_at,
        }


@dataclass(frozen=True)
class Answer:
    """A person's (or a program's) answer to a Question."""

    choice: Choice
    by: str
    """Who answered: the client's name, the page's user, a principal, "approver callable"."""
    via: Via
    """How: elicitation, mrtr, page, cli, adapter, callable, replay, grant; none for no answer."""
    at: str = field(default_factory=now)
    reason: str = ""
    """For a denial that is not a person's "deny": declined, cancelled, timed out, invalid answer."""
    rule_id: str = "firewall.approval_declined"
    """The finding a denial carries (firewall.approval_declined, _cancelled, _timeout, _invalid,
    _unavailable, _state_invalid)."""

    @property
    def approved(self) -> bool:
        """Whether the call may run."""
        return self.choice != "deny"

    @classmethod
    def refused(cls, rule_id: str, reason: str, *, by: str = "", via: Via = "none") -> Answer:
        """A denial that no person chose (no answer, a bad answer, no way to ask)."""
        return cls("deny", by, via, reason=reason, rule_id=rule_id)

    def to_json(self) -> dict[str, Any]:
        """As the audit record carries it."""
        data: dict[str, Any] = {"answer": self.choice, "by": self.by, "via": self.via, "at": self.at}
        if self.reason:
            data["reason"] = self.reason
        return data


def question_for(
    call: ToolCall, verdict: Verdict, grant_key: str, describe: Callable[[int], str] | None = None
) -> Question:
    """The question about a traced call the pipeline decided ASK. `describe` names a graph node
    in words (SessionGraph.describe), so a reason can say which output a value came from."""
    return Question(
        id=uuid.uuid4().hex[:12],
        session=call.session.id,
        principal=call.session.principal,
        server=call.server,
        tool=call.tool,
        arguments=masked(call.arguments),
        reasons=tuple(reasons_for(call, verdict, describe)),
        rule_ids=tuple(verdict.rule_ids),
        grant_key=grant_key,
    )


def reasons_for(call: ToolCall, verdict: Verdict, describe: Callable[[int], str] | None = None) -> list[str]:
    """The rules' reasons, then where each untrusted value in the arguments came from."""
    out: list[str] = [_sentence(f) for f in verdict.findings if f.message]
    provenance = call.provenance
    if provenance is not None:
        for source in provenance.arguments:
            if source.label.trust < Trust.UNTRUSTED:
                continue
            value = value_at(call.arguments, source.path)
            text = value[source.start : source.end] if isinstance(value, str) else None
            named = [describe(node) for node in source.sources] if describe else []
            where = ", ".join(dict.fromkeys(n for n in named if n))
            if not where:
                servers = ", ".join(source.servers)
                where = f"content of server {servers}" if servers else "earlier content"
            what = (
                f"{text!r} in argument {_dotted(source.path)}" if text else f"argument {_dotted(source.path)}"
            )
            out.append(f"{what} comes from {where}, which is untrusted")
        said = any("untrusted content" in reason for reason in out)  # a rule may say it already
        if provenance.context.trust >= Trust.UNTRUSTED and not provenance.arguments and not said:
            out.append("the session has read untrusted content before this call")
    return list(dict.fromkeys(out)) or ["a policy rule asks for approval of this call"]


def masked(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments with secret-looking keys masked and long strings cut."""
    return {key: _mask(key, value) for key, value in arguments.items()}


def _mask(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, dict):
        return {k: _mask(str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(key, v) for v in value[:20]] + (["…"] if len(value) > 20 else [])
    if isinstance(value, str) and len(value) > _MAX_VALUE:
        return value[:_MAX_VALUE] + f"… ({len(value)} characters)"
    return value


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _sentence(finding: Finding) -> str:
    return finding.message.rstrip(".")


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path) or "(whole)"


def approved_verdict(verdict: Verdict, answer: Answer, rule_id: str = "firewall.approved") -> Verdict:
    """The verdict of an approved ASK: ALLOW (REDACT when a stage redacted part of the call), the
    asking rules' findings kept, and a finding that names who approved it."""
    decision = Decision.REDACT if verdict.redactions else Decision.ALLOW
    how = "for this session" if answer.choice == "session" else "once"
    note = Finding(
        rule_id,
        f"approved {how} by {answer.by or 'the user'} via {answer.via} at {answer.at}",
        stage="approval",
        severity="info",
    )
    return Verdict(decision, (*verdict.findings, note))


def denied_verdict(verdict: Verdict, answer: Answer) -> Verdict:
    """The verdict of an ASK that was not approved: DENY, led by a finding that says why (what the
    agent reads first) and what the firewall asked about."""
    if answer.rule_id == "firewall.approval_declined" and not answer.reason:
        why = f"approval was asked and {answer.by or 'the user'} denied it (via {answer.via})"
    else:
        why = answer.reason
    asked = "; ".join(f.message for f in verdict.findings if f.message)
    message = f"{why}; it asked because: {asked}" if asked else why
    note = Finding(answer.rule_id, message, stage="approval", severity="medium")
    return Verdict(Decision.DENY, (note, *verdict.findings))

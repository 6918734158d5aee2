"""Append-only JSONL decision log: one record per decision, each handed to the OS whole before its
decision takes effect (or not written at all: the write raises AuditWriteError).

The record schema is versioned (`schema`); see docs/audit.md. Raw content is recorded only when
`audit.include_content` is set; otherwise sizes and SHA-256 hashes identify what was decided.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from firewall.core.errors import AuditWriteError, ConfigError
from firewall.core.events import Event, ToolCall, Verdict, payload_of

SCHEMA = "mcp-firewall.audit/1"

log = logging.getLogger(__name__)


class AuditFinding(BaseModel):
    """One stage's finding as the record keeps it: the rule, its message, and where it matched."""

    rule_id: str
    message: str
    stage: str
    severity: str
    span: dict[str, Any] | None = None
    score: float | None = None


class ContentDigest(BaseModel):
    """What was decided, identified without its content: the canonical JSON's size and SHA-256."""

    bytes: int
    sha256: str


class AuditRecord(BaseModel):
    """One decision as one line of the log (schema `mcp-firewall.audit/1`, docs/audit.md)."""

    schema_: str = SCHEMA
    time: str
    session: str
    principal: str
    server: str | None
    kind: str
    method: str | None = None
    tool: str | None = None
    request_id: str | int | None = None
    decision: str
    rule_ids: list[str]
    findings: list[AuditFinding]
    content: ContentDigest | None = None
    provenance: Any = None
    """Calls: node, taint, context, classes, derived_from; outputs: a list of {node, kind, label}."""
    raw: Any = None
    approval: Any = None
    """Calls that needed approval: the question, and the answer (who, how, when) or the grant."""

    def to_json(self) -> str:
        """The record as one compact JSON line (without the newline); unset fields are left out."""
        data = self.model_dump(exclude_none=True)
        data["schema"] = data.pop("schema_")
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def digest(payload: Any) -> ContentDigest:
    """Size and SHA-256 of the payload's canonical JSON (sorted keys, no spaces, UTF-8)."""
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return ContentDigest(bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest())


def record_for(
    event: Event, verdict: Verdict, *, method: str, include_content: bool, approval: Any = None
) -> AuditRecord:
    """The record of one decision on one event; the raw payload only when `include_content`."""
    payload = payload_of(event)
    tool = getattr(event, "tool", None)
    if tool is None:  # not `or`: a tool may be named "", and its record must say so
        tool = getattr(getattr(event, "call", None), "tool", None)
    request_id = getattr(event, "request_id", None)
    if request_id is None:  # not `or`: 0 is an id
        request_id = getattr(getattr(event, "call", None), "request_id", None)
    return AuditRecord(
        time=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        session=event.session.id,
        principal=event.session.principal,
        server=event.server,
        kind=event.kind,
        method=method,
        tool=tool,
        request_id=request_id,
        decision=verdict.decision.name.lower(),
        rule_ids=verdict.rule_ids,
        findings=[
            AuditFinding(
                rule_id=f.rule_id,
                message=f.message,
                stage=f.stage,
                severity=f.severity,
                span=None
                if f.span is None
                else {"path": list(f.span.path), "start": f.span.start, "end": f.span.end},
                score=f.score,
            )
            for f in verdict.findings
        ],
        content=digest(payload),
        provenance=_provenance(event),
        raw=payload if include_content else None,
        approval=approval,
    )


def _provenance(event: Event) -> Any:
    if isinstance(event, ToolCall):
        return None if event.provenance is None else event.provenance.to_json()
    return [p.to_json() for p in event.provenance] or None


class AuditLog:
    """Appends records to a JSONL file; safe to share between sessions and threads. In-process
    observers (replay, benchmarks, adapters) subscribe to the same records with `observe`.

    A record is written with one unbuffered append before `write` returns, so it is on its way to
    disk before its decision takes effect. A write that fails raises AuditWriteError and leaves
    nothing behind to be written later: the caller must refuse the decision. Observers see exactly
    the records that were written (every record when there is no file)."""

    def __init__(self, path: Path | None, *, include_content: bool = False) -> None:
        self.path = path
        self.include_content = include_content
        self.observers: list[Callable[[AuditRecord], None]] = []
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._torn = False
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            except OSError as exc:
                raise ConfigError(f"audit.path: cannot append to {path}: {exc}") from None

    def observe(self, observer: Callable[[AuditRecord], None]) -> None:
        """Call `observer` with every record written from now on; an observer that raises is logged
        and does not undo the record."""
        self.observers.append(observer)

    def write(self, record: AuditRecord) -> None:
        """Append the record, then show it to the observers; raises AuditWriteError if it was not
        written (and then no observer sees it)."""
        if self._fd is not None:
            with self._lock:
                self._append((record.to_json() + "\n").encode())
        for observer in self.observers:
            try:
                observer(record)
            except Exception:  # the record is written, so its decision stands
                log.exception("audit observer %r failed", observer)

    def _append(self, data: bytes) -> None:
        assert self._fd is not None
        if self._torn:
            data = b"\n" + data  # end the fragment an earlier failed write left behind
        written = 0
        try:
            while written < len(data):
                written += os.write(self._fd, data[written:])
        except OSError as exc:
            if written:
                self._cut(written)
            raise AuditWriteError(f"cannot write the audit log {self.path}: {exc}") from exc
        self._torn = False

    def _cut(self, written: int) -> None:
        """Remove the partial line of a failed write if it is still the end of the file; otherwise
        mark the log torn, so the next record starts on a line of its own."""
        assert self._fd is not None
        try:
            end = os.lseek(self._fd, 0, os.SEEK_CUR)  # O_APPEND: where our last bytes ended
            if os.fstat(self._fd).st_size == end:
                os.ftruncate(self._fd, end - written)
                return
        except OSError:
            pass
        self._torn = True

    def decision(self, event: Event, verdict: Verdict, *, method: str, approval: Any = None) -> None:
        """Record one decision (with the approval asked for it, if any); raises AuditWriteError if
        it could not be written."""
        if self._fd is not None or self.observers:
            record = record_for(
                event, verdict, method=method, include_content=self.include_content, approval=approval
            )
            self.write(record)

    def close(self) -> None:
        """Close the file (observers still see later records); closing twice is harmless."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

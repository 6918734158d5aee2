"""Append-only JSONL decision log: one record per decision, written and flushed per record.

The record schema is versioned (`schema`); see docs/audit.md. Raw content is recorded only when
`audit.include_content` is set; otherwise sizes and SHA-256 hashes identify what was decided.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from firewall.events import Event, ToolCall, Verdict, payload_of

SCHEMA = "mcp-firewall.audit/1"


class AuditFinding(BaseModel):
    rule_id: str
    message: str
    stage: str
    severity: str
    span: dict[str, Any] | None = None
    score: float | None = None


class ContentDigest(BaseModel):
    bytes: int
    sha256: str


class AuditRecord(BaseModel):
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

    def to_json(self) -> str:
        data = self.model_dump(exclude_none=True)
        data["schema"] = data.pop("schema_")
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def digest(payload: Any) -> ContentDigest:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return ContentDigest(bytes=len(blob), sha256=hashlib.sha256(blob).hexdigest())


def record_for(event: Event, verdict: Verdict, *, method: str, include_content: bool) -> AuditRecord:
    payload = payload_of(event)
    tool = getattr(event, "tool", None) or getattr(getattr(event, "call", None), "tool", None)
    request_id = getattr(event, "request_id", None) or getattr(
        getattr(event, "call", None), "request_id", None
    )
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
    )


def _provenance(event: Event) -> Any:
    if isinstance(event, ToolCall):
        return None if event.provenance is None else event.provenance.to_json()
    return [p.to_json() for p in event.provenance] or None


class AuditLog:
    """Appends records to a JSONL file; safe to share between sessions and threads. In-process
    observers (replay, benchmarks, adapters) subscribe to the same records with `observe`."""

    def __init__(self, path: Path | None, *, include_content: bool = False) -> None:
        self.path = path
        self.include_content = include_content
        self.observers: list[Callable[[AuditRecord], None]] = []
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the firewall

    def observe(self, observer: Callable[[AuditRecord], None]) -> None:
        self.observers.append(observer)

    def write(self, record: AuditRecord) -> None:
        for observer in self.observers:
            observer(record)
        if self._file is None:
            return
        line = record.to_json() + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()

    def decision(self, event: Event, verdict: Verdict, *, method: str) -> None:
        if self._file is not None or self.observers:
            self.write(record_for(event, verdict, method=method, include_content=self.include_content))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

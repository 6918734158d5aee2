"""`mcp-firewall scan`: classify texts from JSONL ({"id", "text"}) or plain lines, on stdin or a
file, and write JSONL {"id", "score", "label", "spans", "abstained"}; lines are scored concurrently
so the batcher fills its batches. ``abstained`` is true for a text the classifier does not read
because it cannot hold an instruction (firewall/detect/abstain.py): its score is 0."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import anyio

from firewall.detect.abstain import can_hold_instruction
from firewall.detect.classifier import ClassifierDetector
from firewall.detect.prepare import prepare


def records(stream: IO[str]) -> Iterator[tuple[Any, str]]:
    """(id, text) per non-blank line: a JSON object's ``text`` (and ``id``, default the line
    number), else the line itself with its number."""
    for number, line in enumerate(stream, start=1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            yield item.get("id", number), item["text"]
        else:
            yield number, line


async def _score(detector: ClassifierDetector, item_id: Any, text: str) -> dict[str, Any]:
    windows = await detector.scan_text(text)
    score = max((score for _, _, score in windows), default=0.0)
    spans = [{"start": s, "end": e, "score": round(v, 4)} for s, e, v in windows if v >= detector.redact]
    label = "injection" if score >= detector.redact else "benign"
    abstained = not windows and can_hold_instruction(prepare(text).text) is False
    return {"id": item_id, "score": round(score, 4), "label": label, "spans": spans, "abstained": abstained}


async def scan(detector: ClassifierDetector, source: IO[str], sink: IO[str], *, chunk: int = 64) -> int:
    """Score every record of ``source`` and write one JSON result per record to ``sink`` (in input
    order, ``chunk`` records scored concurrently at a time); the number of records."""
    pending = list(records(source))
    for begin in range(0, len(pending), chunk):
        batch = pending[begin : begin + chunk]
        results: list[dict[str, Any]] = [{} for _ in batch]

        async def one(index: int, item_id: Any, text: str, into: list[dict[str, Any]]) -> None:
            into[index] = await _score(detector, item_id, text)

        async with anyio.create_task_group() as tg:
            for index, (item_id, text) in enumerate(batch):
                tg.start_soon(one, index, item_id, text, results)
        for result in results:
            sink.write(json.dumps(result) + "\n")
        sink.flush()
    return len(pending)


def run_scan(detector: ClassifierDetector, path: str | None, chunk: int) -> int:
    """Scan a file (or stdin when ``path`` is None) to stdout; the number of records."""

    async def main(stream: IO[str]) -> int:
        return await scan(detector, stream, sys.stdout, chunk=chunk)

    if path is None:
        return anyio.run(main, sys.stdin)
    with open(path, encoding="utf-8") as stream:
        return anyio.run(main, stream)

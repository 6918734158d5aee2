"""bench/RESULTS.md holds one section per benchmark; each benchmark replaces only its own section."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
ORDER = ("overhead", "provenance", "policy", "detector_speed", "detector_eval")


def machine() -> str:
    return (
        f"nproc {len(os.sched_getaffinity(0))}, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def write_section(name: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    sections = dict(re.findall(r"<!-- (\w+) -->\n(.*?)<!-- /\1 -->", text, flags=re.S))
    sections[name] = body.strip() + "\n"
    names = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    parts = ["# Benchmark results\n\nEach section is written by its benchmark; rerun one with `--write`.\n"]
    parts += [f"<!-- {n} -->\n{sections[n]}<!-- /{n} -->\n" for n in names]
    RESULTS.write_text("\n".join(parts), encoding="utf-8")

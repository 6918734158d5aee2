"""Shingle fingerprints are fixed values: the same in every process and on every platform.

Winnowing keeps the shingles with the smallest hash in each window, so the hash decides which short
shared passages are found. Pinned values here fail if it ever becomes Python's salted hash() again
(or any other function), which would make matches, and decisions, differ between runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from firewall.provenance.extract import shingle_hash, shingles
from firewall.provenance.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
TEXT = (
    "The quarterly report was sent to the finance team on Monday, and the board approved the "
    "budget for next year at its meeting in Zürich."
)
PINNED = [
    ("sent to the finance team on", 25, 52),
    ("monday and the board approved the", 53, 87),
    ("the budget for next year at", 84, 111),
]


def test_shingle_hash_is_crc32_of_the_utf8() -> None:
    assert shingle_hash("the quarterly report was sent to") == 3473206593
    assert shingle_hash("meeting in zürich") == 4131350779  # UTF-8, not code points or Latin-1
    assert shingle_hash("123456789") == 0xCBF43926  # the CRC-32 check value


def test_winnowing_keeps_pinned_shingles() -> None:
    assert list(shingles(normalize(TEXT))) == PINNED


def test_fingerprints_are_the_same_under_any_hash_seed() -> None:
    script = (
        "import json, sys\n"
        "from firewall.provenance.extract import shingles\n"
        "from firewall.provenance.normalize import normalize\n"
        "print(json.dumps(list(shingles(normalize(sys.argv[1])))))\n"
    )
    for seed in ("0", "1", "2", "random"):
        done = subprocess.run(
            [sys.executable, "-c", script, TEXT],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert [tuple(s) for s in json.loads(done.stdout)] == PINNED, f"PYTHONHASHSEED={seed}"

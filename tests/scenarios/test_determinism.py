"""The same scenario gets the same decisions in every process, whatever Python's hash seed.

Python salts str hashing per process (PYTHONHASHSEED); the provenance matcher once chose its winnowed
shingles with hash(), so which short shared passages it found, and with them taints, findings and
sometimes decisions, changed from run to run. Each scenario here has a decision input that comes from
passage (substring) matching, and each is replayed, as `mcp-firewall replay` does, in three fresh
interpreters with three different seeds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "scenarios" / "library"
SEEDS = ("0", "1", "2")  # under the old salted hash these three disagreed on every scenario below
SCENARIOS = (
    "confused-deputy-public-issue-private-repo",  # a reply's taint comes only from a passage match
    "shadowing-readonly-logger-collects-diffs",  # likewise, for a later log call
    "prompt-template-poisoning-git-push",  # a finding cites a substring match
)
REPLAY = """
import json, sys
from pathlib import Path
from firewall.config import FirewallConfig
from firewall.tools.replay_command import replay_file
out = {}
for path in sys.argv[2:]:
    rows, _ = replay_file(Path(path), FirewallConfig())
    out[Path(path).stem] = rows
Path(sys.argv[1]).write_text(json.dumps(out), encoding="utf-8")
"""


def replay_with_seed(seed: str, out: Path) -> dict[str, list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    paths = [str(LIBRARY / f"{name}.json") for name in SCENARIOS]
    done = subprocess.run(
        [sys.executable, "-c", REPLAY, str(out), *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"PYTHONHASHSEED={seed}: replay failed\n{done.stderr[-3000:]}"
    runs: dict[str, list[dict[str, Any]]] = json.loads(out.read_text(encoding="utf-8"))
    return runs


def test_decisions_and_derivations_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    with ThreadPoolExecutor(len(SEEDS)) as pool:  # three interpreters at once, each with its own deadline
        replays = [pool.submit(replay_with_seed, seed, tmp_path / f"seed-{seed}.json") for seed in SEEDS]
        runs = dict(zip(SEEDS, [replay.result() for replay in replays], strict=True))
    first = runs[SEEDS[0]]
    differences = [
        f"{name} step {theirs['step']} under PYTHONHASHSEED={seed}: {', '.join(changed(mine, theirs))}"
        for seed in SEEDS[1:]
        for name in SCENARIOS
        for mine, theirs in zip(first[name], runs[seed][name], strict=True)
        if mine != theirs
    ]
    assert not differences, f"not what PYTHONHASHSEED={SEEDS[0]} gave:\n" + "\n".join(differences)
    for name in SCENARIOS:
        derivations = [d for row in first[name] for d in row.get("provenance", {}).get("derived_from", [])]
        assert any(d["kind"] == "substring" for d in derivations), (
            f"{name} no longer exercises substring matching; pick another scenario"
        )


def changed(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """The fields (provenance's one level down) in which two decision rows differ."""
    fields = []
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) != theirs.get(key):
            if key == "provenance" and key in mine and key in theirs:
                inner = sorted(set(mine[key]) | set(theirs[key]))
                fields += [f"provenance.{k}" for k in inner if mine[key].get(k) != theirs[key].get(k)]
            else:
                fields.append(key)
    return fields

"""Fail CI when a package's branch coverage is under its floor.

Reads coverage.py's JSON report (`coverage json`) and the floors in pyproject.toml's
`[tool.mcp-firewall.coverage.floors]`: folder -> the least percent of statements and branches
covered (coverage.py's own branch figure). Each measured file counts toward the longest listed
folder that holds it, directly or below: "firewall" holds the top-level modules and any subfolder
without an entry of its own. A file under no listed folder fails the gate.

Usage: python .ci/coverage_gate.py COVERAGE_JSON [PYPROJECT]
"""

from __future__ import annotations

import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any


@dataclass
class Tally:
    """Statements and branches of the files counted toward one floor."""

    statements: int = 0
    covered_lines: int = 0
    branches: int = 0
    covered_branches: int = 0
    short_files: list[tuple[str, float]] = field(default_factory=list)

    def add(self, path: str, summary: dict[str, float]) -> None:
        """Count one file's summary (from the JSON report) toward this tally."""
        self.statements += int(summary["num_statements"])
        self.covered_lines += int(summary["covered_lines"])
        self.branches += int(summary["num_branches"])
        self.covered_branches += int(summary["covered_branches"])
        if summary["percent_covered"] < 100:
            self.short_files.append((path, float(summary["percent_covered"])))

    @property
    def percent(self) -> float:
        """Covered statements and branches over all of them, as coverage.py computes it."""
        total = self.statements + self.branches
        return 100.0 if total == 0 else 100.0 * (self.covered_lines + self.covered_branches) / total


def floor_for(path: str, floors: dict[str, float]) -> str | None:
    """The longest listed folder holding `path` (a path relative to the repository root)."""
    for parent in PurePosixPath(path).parents:  # the nearest first
        if str(parent) in floors:
            return str(parent)
    return None


def gate(report: dict[str, Any], floors: dict[str, float]) -> tuple[list[str], bool]:
    """The table to print and whether every floor holds."""
    tallies = {name: Tally() for name in floors}
    unowned: list[str] = []
    for path, data in sorted(report["files"].items()):
        name = floor_for(path, floors)
        if name is None:
            unowned.append(path)
        else:
            tallies[name].add(path, data["summary"])
    lines = [f"{'package':<32} {'stmts':>6} {'miss':>6} {'branch':>6} {'bmiss':>6} {'cover':>7} {'floor':>6}"]
    ok = True
    for name, tally in tallies.items():
        holds = tally.percent + 1e-9 >= floors[name]
        ok &= holds
        lines.append(
            f"{name:<32} {tally.statements:>6} {tally.statements - tally.covered_lines:>6} "
            f"{tally.branches:>6} {tally.branches - tally.covered_branches:>6} "
            f"{tally.percent:>6.1f}% {floors[name]:>5.0f}%" + ("" if holds else "  UNDER THE FLOOR")
        )
        if not holds:
            lines.extend(f"    {path}: {percent:.1f}%" for path, percent in tally.short_files)
    if unowned:
        ok = False
        lines.append("files under no folder in [tool.mcp-firewall.coverage.floors]:")
        lines.extend(f"    {path}" for path in unowned)
    return lines, ok


def main(argv: list[str]) -> int:
    """Print the per-package table; exit 1 when a floor does not hold, 2 on bad arguments."""
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    report = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    with open(argv[2] if len(argv) == 3 else "pyproject.toml", "rb") as file:
        floors = tomllib.load(file)["tool"]["mcp-firewall"]["coverage"]["floors"]
    lines, ok = gate(report, floors)
    print("\n".join(lines))
    if not ok:
        print("coverage gate: FAILED", file=sys.stderr)
        return 1
    print("coverage gate: every floor holds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

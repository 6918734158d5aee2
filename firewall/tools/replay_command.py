"""`mcp-firewall replay`: config + trace -> JSONL decisions (and, with --check, a verdict)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import anyio

from firewall.app import EXIT_USAGE, build_firewall, quietly
from firewall.approve.question import Choice
from firewall.config import FirewallConfig, load_config
from firewall.core.errors import ConfigError
from firewall.tools.replay import Scenario, TraceError, load_replay_input, overlay, replay

APPROVER_MODELS: dict[str, Choice | None] = {
    "never": None,  # nobody answers: every ask is denied (firewall.approval_unavailable)
    "always": "once",  # a person who approves every ask, once
    "session": "session",  # ... for the session (later calls of the same shape need no ask)
    "deny": "deny",  # a person who is asked and denies
}
"""`--approve`: the answer to an ask whose line (and trace) scripts none."""


def add_approve_argument(parser: argparse.ArgumentParser) -> None:
    """The `--approve` option of `mcp-firewall replay` (APPROVER_MODELS)."""
    parser.add_argument(
        "--approve",
        choices=list(APPROVER_MODELS),
        default="never",
        help="who answers an ask the trace scripts no answer for (default: never, a denial)",
    )


def scenario_config(base: FirewallConfig, scenario: Scenario | None) -> FirewallConfig:
    """The base config with the scenario's `config` overlaid (its keys win, tables merge);
    ConfigError names the scenario when the result is invalid."""
    if scenario is None or not scenario.config:
        return base
    try:
        return FirewallConfig.model_validate(overlay(base.model_dump(exclude_unset=True), scenario.config))
    except ValueError as exc:
        raise ConfigError(f"scenario {scenario.id}: invalid config: {exc}") from None


def replay_file(
    path: Path, config: FirewallConfig, approve: Choice | None = None
) -> tuple[list[dict[str, Any]], Scenario | None]:
    """Replay a trace or scenario file through a firewall built for it; its output rows, and the
    scenario when the file is one. `approve` answers asks the trace scripts no answer for."""
    steps, scenario = load_replay_input(path)
    firewall = quietly(build_firewall, scenario_config(config, scenario))
    try:
        return anyio.run(lambda: replay(steps, firewall, approve=approve)), scenario
    finally:
        firewall.audit.close()


def run_replay_command(args: argparse.Namespace) -> int:
    """`mcp-firewall replay`: write the decisions as JSONL (to --out or stdout). Exit 2 for a bad
    config or trace; with --check, 1 when a step misses its expectation other than as its known gap
    records, or meets an expectation marked as a known gap (remove the gap); else 0."""
    try:
        approve = APPROVER_MODELS[getattr(args, "approve", None) or "never"]
        rows, _ = replay_file(args.trace, load_config(args.config), approve)
    except (ConfigError, TraceError) as exc:
        print(f"mcp-firewall replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"mcp-firewall replay: cannot read {args.trace}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    # A known gap passes --check only while the firewall does exactly what the gap records: a fix
    # (or a new way of failing) shows up as a failure until the scenario is updated.
    failed = [row for row in rows if row.get("ok") is False and not row.get("gap_holds")]
    failed += [row for row in rows if row.get("ok") is True and "known_gap" in row]
    gaps = sum(bool(row.get("gap_holds")) for row in rows)
    checked = sum("ok" in row for row in rows)
    asked = [row for row in rows if row.get("asked")]
    if args.check:
        for row in failed:
            print(
                f"step {row['step']} ({row['type']} {row.get('tool', row.get('server', ''))}): "
                f"got {row['decision']} {row.get('rule_ids', [])}"
                + (f" after an ask (answer {row.get('answer')})" if row.get("asked") else "")
                + f", expected {row['expect']} "
                f"{row.get('expect_rules', '')}",
                file=sys.stderr,
            )
        print(
            f"{checked - len(failed) - gaps}/{checked} expectations met"
            + (f", {gaps} known gap(s) as recorded" if gaps else "")
            + (
                f"; {len(asked)} ask(s), {sum(r['decision'] != 'deny' for r in asked)} approved"
                if asked
                else ""
            ),
            file=sys.stderr,
        )
        return 1 if failed else 0
    return 0

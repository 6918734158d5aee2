"""`mcp-firewall policy test|eval|lint|schema`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from firewall.app import build_policy_engine, policy_paths
from firewall.config import load_config
from firewall.core.errors import ConfigError
from firewall.policy.document import PolicyInput
from firewall.policy.engine import EmbeddedEngine, PolicyError, load_sources, policy_data, read_sources
from firewall.tools.policy_tooling import lint, run_tests

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run_policy_command(args: argparse.Namespace) -> int:
    """Run ``mcp-firewall policy <schema|eval|test|lint>``; the exit status (0 ok, 1 failed
    tests or lint issues, 2 usage: a bad config, policy path or input)."""
    try:
        if args.policy_command == "schema":
            print(json.dumps(PolicyInput.model_json_schema(), indent=2))
            return EXIT_OK
        config = load_config(args.config)
        if args.policy_command == "eval":
            return _eval(config, args.input)
        paths = list(args.paths) or policy_paths(config.policy)
        if args.policy_command == "test":
            return _test(load_sources(paths, tests=True), config, coverage=args.coverage)
        # Not composed here: lint reports what the composition cannot read instead of failing on it.
        return _lint(read_sources(paths, tests=True))
    except (ConfigError, PolicyError) as exc:
        print(f"mcp-firewall policy: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _test(sources: list, config, *, coverage: bool) -> int:  # type: ignore[no-untyped-def]
    data = policy_data(config.policy.packs, [g.model_dump() for g in config.policy.grants])
    results, cover = run_tests(sources, data)
    for result in results:
        status = "PASS" if result.passed else "FAIL"
        detail = f": {result.error}" if result.error else ""
        print(f"{status} data.{result.package}.{result.name}{detail}")
    if coverage:
        print(cover.report)
    failed = sum(not r.passed for r in results)
    print(f"coverage: {cover.percent:.1f}% of {cover.total} policy lines")
    print(f"{len(results) - failed} passed, {failed} failed")
    if not results:
        print("no test_* rules found", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED if failed else EXIT_OK


def _lint(sources: list) -> int:  # type: ignore[no-untyped-def]
    issues = lint(sources)
    for issue in issues:
        print(issue)
    print(f"{len(sources)} files, {len(issues)} issues")
    return EXIT_FAILED if issues else EXIT_OK


def _eval(config, path: Path) -> int:  # type: ignore[no-untyped-def]
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"mcp-firewall policy eval: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        PolicyInput.model_validate(document)
    except ValidationError as exc:
        print(f"warning: the input does not match the policy input schema:\n{exc}", file=sys.stderr)
    engine = build_policy_engine(config.policy, local=True)
    if engine is None:
        print(
            json.dumps(
                {"decision": "allow", "findings": [], "rule_ids": [], "note": "no policy packs selected"}
            )
        )
        return EXIT_OK
    assert isinstance(engine, EmbeddedEngine)
    # For people: the full result (decision, findings, rule ids), not just the firewall's query.
    engine_handle = engine.engine()
    engine_handle.set_input(document)
    print(engine_handle.eval_rule_as_json("data.mcp_firewall.result"))
    return EXIT_OK

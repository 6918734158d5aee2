"""argv -> config -> run. The only place that reads argv; logs go to stderr (stdout may be the wire)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import anyio

from firewall import __version__
from firewall.app import EXIT_USAGE, run_gateway, run_wrap
from firewall.config import load_config
from firewall.core.errors import ConfigError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mcp-firewall", description="A firewall for MCP tool calls.")
    parser.add_argument("--version", action="version", version=f"mcp-firewall {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    wrap = sub.add_parser("wrap", help="run an MCP stdio server behind the firewall (drop-in)")
    wrap.add_argument("--config", type=Path, help="TOML configuration file")
    wrap.add_argument("--audit-log", help="append decisions to this JSONL file")
    wrap.add_argument("--name", default="server", help="the server's name in rules and the audit log")
    wrap.add_argument("server", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")

    serve = sub.add_parser("serve", help="run the multi-server gateway")
    serve.add_argument("--config", type=Path, required=True, help="TOML configuration file")
    serve.add_argument("--audit-log", help="append decisions to this JSONL file")

    sub.add_parser("demo", help="a scripted agent against a demo server, through the wrapper")

    policy = sub.add_parser("policy", help="test, evaluate and lint Rego policies")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    for name, text in (
        ("test", "run every *_test.rego (like opa test), with coverage"),
        ("lint", "compile and check input references against the schema"),
    ):
        command = policy_sub.add_parser(name, help=text)
        command.add_argument(
            "--config", type=Path, help="TOML configuration file (for policy.rego_dir and policy.extra)"
        )
        command.add_argument(
            "paths", nargs="*", type=Path, help="rego files or folders (default: the configured ones)"
        )
        if name == "test":
            command.add_argument("--coverage", action="store_true", help="print the line coverage report")
    evaluate = policy_sub.add_parser("eval", help="evaluate the configured packs on one input document")
    evaluate.add_argument("--config", type=Path, help="TOML configuration file")
    evaluate.add_argument("--input", type=Path, required=True, help="a JSON policy input document")
    policy_sub.add_parser("schema", help="print the policy input JSON Schema")

    scan = sub.add_parser("scan", help="score texts for prompt injection (JSONL or plain lines)")
    scan.add_argument("file", nargs="?", help="input file (default: stdin)")
    scan.add_argument("--config", type=Path, help="TOML configuration file ([detect] settings)")
    scan.add_argument("--batch", type=int, help="windows per inference batch")
    scan.add_argument("--device", choices=["auto", "cpu", "cuda"], help="where the model runs")

    replay = sub.add_parser(
        "replay", help="replay an agent trace (JSONL) or a scenario (JSON) through the firewall"
    )
    replay.add_argument("trace", type=Path, help="docs/trace-format.md")
    replay.add_argument(
        "--config", type=Path, help="TOML configuration file (a scenario's config overlays it)"
    )
    replay.add_argument("--out", type=Path, help="write the decisions here (default: stdout)")
    replay.add_argument(
        "--check", action="store_true", help="exit 1 if a step's decision is not its expected one"
    )
    from firewall.tools.replay_command import add_approve_argument

    add_approve_argument(replay)

    graph = sub.add_parser("graph", help="render a session's provenance graph from an audit log")
    graph.add_argument("audit_log", type=Path, help="the JSONL audit log")
    graph.add_argument("--session", help="session id (default: the last session in the log)")
    graph.add_argument("--format", choices=["json", "dot"], default="json")

    from firewall.tools.approvals_command import add_parser as add_approvals

    add_approvals(sub)
    from firewall.tools.pins_command import add_parser as add_pins

    add_pins(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse argv (sys.argv when None), run the subcommand, and return the process's exit code: 0,
    1 when the wrapped server went down, 2 for a usage or configuration error, 128 + N when
    stopped by signal N. argparse itself exits 2 on bad arguments and 0 after --help."""
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * args.verbose
    logging.basicConfig(
        stream=sys.stderr, level=level, format="mcp-firewall %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "demo":
        from firewall.tools.demo.run import run_demo

        return run_demo()
    if args.command == "graph":
        return _graph(args.audit_log, args.session, args.format)
    if args.command == "scan":
        return _scan(args)
    if args.command == "replay":
        from firewall.tools.replay_command import run_replay_command

        return run_replay_command(args)
    if args.command == "approvals":
        from firewall.tools.approvals_command import run_approvals_command

        return run_approvals_command(args)
    if args.command == "pins":
        from firewall.tools.pins_command import run_pins_command

        return run_pins_command(args)
    if args.command == "policy":
        from firewall.tools.policy_commands import run_policy_command

        return run_policy_command(args)
    overrides = {"audit.path": args.audit_log} if args.audit_log else {}
    try:
        config = load_config(args.config, **overrides)
        if args.command == "wrap":
            command = args.server[1:] if args.server[:1] == ["--"] else args.server
            if not command:
                print("mcp-firewall wrap: give the server command after --", file=sys.stderr)
                return EXIT_USAGE
            return anyio.run(run_wrap, config, command, args.name)
        return anyio.run(run_gateway, config)
    except ConfigError as exc:
        print(f"mcp-firewall: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _graph(path: Path, session: str | None, fmt: str) -> int:
    from firewall.tools.graph_render import sessions_in, to_dot, to_json

    try:
        graphs = sessions_in(path)
    except (OSError, ValueError, KeyError) as exc:
        print(f"mcp-firewall graph: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not graphs:
        print(f"mcp-firewall graph: {path} has no provenance records", file=sys.stderr)
        return EXIT_USAGE
    chosen = session or list(graphs)[-1]
    if chosen not in graphs:
        print(f"mcp-firewall graph: no session {chosen!r}; sessions: {', '.join(graphs)}", file=sys.stderr)
        return EXIT_USAGE
    print(to_dot(graphs[chosen]) if fmt == "dot" else to_json(graphs[chosen]), end="")
    return 0


def _scan(args: argparse.Namespace) -> int:
    from firewall.app import build_classifier
    from firewall.detect.classifier import ClassifierDetector

    overrides: dict[str, object] = {}
    if args.batch:
        overrides["detect.batch_size"] = args.batch
    if args.device:
        overrides["detect.device"] = args.device
    try:
        config = load_config(args.config, **overrides)
        if config.detect.classifier == "auto":
            config = load_config(args.config, **overrides, **{"detect.classifier": "builtin"})
        detector = build_classifier(config.detect)
    except ConfigError as exc:
        print(f"mcp-firewall scan: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not isinstance(detector, ClassifierDetector):
        print("mcp-firewall scan: the classifier is off (detect.classifier = 'off')", file=sys.stderr)
        return EXIT_USAGE
    from firewall.tools.scan import run_scan

    run_scan(detector, args.file, chunk=max(8, config.detect.batch_size * 2))
    return 0

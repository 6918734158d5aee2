"""`mcp-firewall approvals`: list and answer the questions waiting on running firewalls' approval
pages, from a terminal (docs/approval-page.md).

The firewalls are found through their discovery files (firewall.approve.discovery), or given with
--url and --token. Each is asked over its page's JSON API: GET /api/pending, POST /api/answer.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from firewall.approve import discovery
from firewall.config import load_config
from firewall.core.errors import ConfigError

EXIT_OK, EXIT_NONE_RUNNING, EXIT_USAGE, EXIT_UNKNOWN_ID, EXIT_UNREACHABLE = 0, 1, 2, 3, 4
EXIT_CODES = """exit codes:
  0  done (list: at least one firewall answered)
  1  no running firewall with an approval page was found
  2  usage or configuration error
  3  no pending question has that id (answered, timed out, withdrawn, or never asked)
  4  a firewall's page could not be reached or refused the request (wrong token)"""

TIMEOUT_SECONDS = 5.0


def add_parser(sub: Any) -> None:
    """The `approvals` subcommand and its list/approve/deny commands, on the CLI's subparsers."""
    approvals = sub.add_parser(
        "approvals",
        help="list and answer the calls waiting on running firewalls' approval pages",
        description="List and answer the calls waiting for approval on running firewalls' "
        "approval pages ([approval] page = true).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = approvals.add_subparsers(dest="approvals_command", required=True)
    listing = commands.add_parser(
        "list", help="the pending questions of every running firewall", epilog=EXIT_CODES
    )
    listing.add_argument("--json", action="store_true", help="JSON output: one object per firewall")
    approve = commands.add_parser("approve", help="approve a pending call", epilog=EXIT_CODES)
    approve.add_argument("id", help="the question's id (from `approvals list`)")
    approve.add_argument(
        "--session", action="store_true", help="approve for this session (same tool, same argument shape)"
    )
    deny = commands.add_parser("deny", help="deny a pending call", epilog=EXIT_CODES)
    deny.add_argument("id", help="the question's id (from `approvals list`)")
    for command in (listing, approve, deny):
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        command.add_argument("--config", type=Path, help="TOML configuration file (for [approval] directory)")
        command.add_argument(
            "--dir", type=Path, help="the discovery directory (default: [approval] directory)"
        )
        command.add_argument("--url", help="one firewall's page (http://127.0.0.1:PORT) instead of discovery")
        command.add_argument("--token", help="the page's token (with --url)")


@dataclass(frozen=True)
class Target:
    """One firewall's page to ask."""

    url: str
    token: str
    name: str = ""
    pid: int | None = None

    def describe(self) -> str:
        """How the output names this firewall."""
        who = f"{self.name} (pid {self.pid})" if self.pid is not None else (self.name or "firewall")
        return f"{who} at {self.url}"


class Unreachable(Exception):
    """A page that could not be reached, or refused the request."""


def run_approvals_command(args: argparse.Namespace) -> int:
    """Run `approvals list|approve|deny`; returns the exit code (EXIT_CODES)."""
    try:
        targets = _targets(args)
    except ConfigError as exc:
        print(f"mcp-firewall approvals: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not targets:
        where = args.dir or "the approvals directory"
        print(
            f"mcp-firewall approvals: no running firewall with an approval page found in {where} "
            "(start one with [approval] page = true, or give --url and --token)",
            file=sys.stderr,
        )
        if args.approvals_command == "list" and args.json:
            print("[]")
        return EXIT_NONE_RUNNING
    with httpx.Client(timeout=TIMEOUT_SECONDS, trust_env=False) as client:
        if args.approvals_command == "list":
            return _list(client, targets, as_json=args.json)
        choice = "deny" if args.approvals_command == "deny" else ("session" if args.session else "once")
        return _answer(client, targets, args.id, choice)


def _targets(args: argparse.Namespace) -> list[Target]:
    if args.url or args.token:
        if not (args.url and args.token):
            raise ConfigError("--url and --token go together")
        return [Target(args.url.rstrip("/"), args.token)]
    directory = args.dir
    if directory is None:
        directory = discovery.directory_for(load_config(args.config).approval.directory)
    return [Target(d.url, d.token, d.name, d.pid) for d in discovery.running(directory)]


def pending(client: httpx.Client, target: Target) -> list[dict[str, Any]]:
    """The target's pending questions (Question.to_json each); Unreachable when it cannot say."""
    data = _call(client, "GET", target, "/api/pending")
    questions = data.get("pending")
    if not isinstance(questions, list):
        raise Unreachable(f"{target.describe()}: not an approval page's answer")
    return [q for q in questions if isinstance(q, dict)]


def answer(client: httpx.Client, target: Target, question_id: str, choice: str, by: str) -> dict[str, Any]:
    """Answer a question on the target's page; Unreachable when the page refuses (404 included:
    the caller looks for the id first)."""
    return _call(client, "POST", target, "/api/answer", {"id": question_id, "choice": choice, "by": by})


def _call(
    client: httpx.Client, method: str, target: Target, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    try:
        response = client.request(
            method, target.url + path, json=body, headers={"Authorization": f"Bearer {target.token}"}
        )
    except httpx.HTTPError as exc:
        raise Unreachable(f"{target.describe()}: cannot reach the page: {exc}") from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if response.status_code != 200:
        reason = data.get("error") or response.reason_phrase
        raise Unreachable(f"{target.describe()}: HTTP {response.status_code}: {reason}")
    return data


def _list(client: httpx.Client, targets: list[Target], *, as_json: bool) -> int:
    reports: list[dict[str, Any]] = []
    reached = 0
    for target in targets:
        report: dict[str, Any] = {"name": target.name, "pid": target.pid, "url": target.url}
        try:
            report["pending"] = pending(client, target)
            reached += 1
        except Unreachable as exc:
            report["error"] = str(exc)
            print(f"mcp-firewall approvals: {exc}", file=sys.stderr)
        reports.append(report)
    if as_json:
        print(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        for report in reports:
            if "pending" in report:
                _print_report(report)
    return EXIT_OK if reached else EXIT_UNREACHABLE


def _print_report(report: dict[str, Any]) -> None:
    target = Target(report["url"], "", report["name"], report["pid"])
    questions = report["pending"]
    print(f"{target.describe()}: {len(questions) or 'no'} pending")
    for question in questions:
        print(f"\n  [{question.get('id')}] {question.get('title')}")
        for line in str(question.get("text", "")).splitlines():
            print(f"    {line}")
    print()


def _answer(client: httpx.Client, targets: list[Target], question_id: str, choice: str) -> int:
    failures: list[str] = []
    seen: list[str] = []
    for target in targets:
        try:
            ids = [str(q.get("id")) for q in pending(client, target)]
        except Unreachable as exc:
            failures.append(str(exc))
            continue
        seen.extend(ids)
        if question_id not in ids:
            continue
        try:
            done = answer(client, target, question_id, choice, _user())
        except Unreachable as exc:
            # Answered or timed out between the listing and the answer: report it as unknown.
            print(f"mcp-firewall approvals: {exc}", file=sys.stderr)
            return EXIT_UNKNOWN_ID if "HTTP 404" in str(exc) else EXIT_UNREACHABLE
        verb = {"once": "approved once", "session": "approved for this session", "deny": "denied"}[choice]
        print(f"question {question_id} {verb} (by {done.get('by')}) on {target.describe()}")
        return EXIT_OK
    for failure in failures:
        print(f"mcp-firewall approvals: {failure}", file=sys.stderr)
    if failures and not seen and len(failures) == len(targets):
        return EXIT_UNREACHABLE
    waiting = ", ".join(seen) if seen else "none"
    print(
        f"mcp-firewall approvals: no pending question {question_id!r} (answered, timed out, "
        f"withdrawn, or never asked); pending now: {waiting}",
        file=sys.stderr,
    )
    return EXIT_UNKNOWN_ID


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "mcp-firewall approvals"

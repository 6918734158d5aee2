"""`mcp-firewall pins`: show, reset and accept the tool definitions pinned across sessions
(firewall.guard.pin_store, docs/pins.md).

`list` shows every stored tool pin and its state (pinned, added, changed); `reset` forgets pins so
that the next listing pins again (trust on first use); `accept` makes a changed tool's last seen
definition its pin, and an added tool pinned.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from firewall.config import load_config
from firewall.core.errors import ConfigError
from firewall.guard.pin_store import PinStore, PinStoreError, default_path, describe

EXIT_OK, EXIT_USAGE, EXIT_NO_MATCH, EXIT_STORE = 0, 2, 3, 4
EXIT_CODES = """exit codes:
  0  done
  2  usage or configuration error
  3  no stored pin matches (reset, accept)
  4  the pins file cannot be read or written"""


def add_parser(sub: Any) -> None:
    """The `pins` subcommand and its list/reset/accept commands, on the CLI's subparsers."""
    pins = sub.add_parser(
        "pins",
        help="show, reset and accept the tool definitions pinned across sessions",
        description="Tool definitions are pinned on first use, per server (name and command or URL); "
        "a definition that differs in a later session is asked about until accepted, one that changes "
        "within a session is denied (docs/pins.md).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = pins.add_subparsers(dest="pins_command", required=True)
    listing = commands.add_parser("list", help="the stored pins and their state", epilog=EXIT_CODES)
    listing.add_argument("--server", help="only this server (its configured name, or a whole identity)")
    listing.add_argument("--json", action="store_true", help="JSON output: one object per tool")
    reset = commands.add_parser(
        "reset", help="forget pins, so that the next listing pins again", epilog=EXIT_CODES
    )
    reset.add_argument("--server", help="only this server's pins (default: every server's)")
    reset.add_argument("--tool", help="only this tool's pin")
    accept = commands.add_parser(
        "accept", help="accept a server's current definitions (changed or added tools)", epilog=EXIT_CODES
    )
    accept.add_argument("--server", required=True, help="the server's configured name, or a whole identity")
    accept.add_argument("--tool", help="only this tool (default: every changed or added tool)")
    for command in (listing, reset, accept):
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        command.add_argument("--config", type=Path, help="TOML configuration file (for [pins] file)")
        command.add_argument(
            "--file", type=Path, help="the pins file (default: [pins] file, else the default)"
        )


def pins_path(args: argparse.Namespace) -> Path:
    """--file, else the configuration's [pins] file, else the default path."""
    if args.file is not None:
        return Path(args.file).expanduser()
    configured = load_config(args.config).pins.file
    return configured.expanduser() if configured is not None else default_path()


def run_pins_command(args: argparse.Namespace) -> int:
    """Run `pins list|reset|accept`; returns the exit code (EXIT_CODES)."""
    try:
        store = PinStore(pins_path(args))
    except ConfigError as exc:
        print(f"mcp-firewall pins: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.pins_command == "list":
            return _list(store, args.server, as_json=args.json)
        if args.pins_command == "reset":
            count = store.reset(args.server, args.tool)
            return _report(count, "forgotten", store, args.server, args.tool)
        count = store.accept(args.server, args.tool)
        return _report(count, "accepted", store, args.server, args.tool)
    except PinStoreError as exc:
        print(f"mcp-firewall pins: {exc}", file=sys.stderr)
        return EXIT_STORE


def _list(store: PinStore, server: str | None, *, as_json: bool) -> int:
    rows = describe(store.load(), server)
    if as_json:
        for row in rows:
            print(json.dumps(row))
        return EXIT_OK
    if not rows:
        which = f" for server {server!r}" if server else ""
        print(f"no pins stored{which} in {store.path}")
        return EXIT_OK
    width = max(len(row["tool"]) for row in rows)
    target = None
    for row in rows:
        if (row["server"], row["target"]) != target:
            target = (row["server"], row["target"])
            print(f"{row['server']}  ({row['target']})")
        since = f"  changed {row['changed_at']}" if row["state"] == "changed" else ""
        print(f"  {row['tool']:<{width}}  {row['state']:<7}  first seen {row['first_seen']}{since}")
    return EXIT_OK


def _report(count: int, done: str, store: PinStore, server: str | None, tool: str | None) -> int:
    what = " ".join(
        part for part in (f"server {server!r}" if server else "", f"tool {tool!r}" if tool else "") if part
    )
    if count == 0:
        print(
            f"mcp-firewall pins: no stored pin to be {done} matches {what or 'anything'} in {store.path}",
            file=sys.stderr,
        )
        return EXIT_NO_MATCH
    print(f"{count} tool pin(s) {done}" + (f" ({what})" if what else ""))
    return EXIT_OK

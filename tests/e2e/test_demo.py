"""`mcp-firewall demo`, the README's first command, runs end to end and reports real decisions."""

import os
import subprocess
import sys


def test_demo_shows_each_call_and_the_firewalls_decisions():
    done = subprocess.run(
        [sys.executable, "-m", "firewall", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200"},  # wide enough that rich does not fold the rule ids
    )
    assert done.returncode == 0, done.stderr
    assert "5 calls, 3 blocked" in done.stdout
    for expected in (
        "baseline.untrusted_argument_to_side_effect",
        "demo.no-destructive",
        "firewall.unknown_tool",
        "tool_result: allow",
    ):
        assert expected in done.stdout

"""`mcp-firewall demo`, the README's first command, runs end to end and reports real decisions."""

import importlib.util
import os
import subprocess
import sys

from tests.support import processes


def test_demo_shows_each_call_and_the_firewalls_decisions():
    done = processes.run(
        [sys.executable, "-m", "firewall", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200"},  # wide enough that rich does not fold the rule ids
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # With the ml extra the classifier redacts the injected mail (the rest of the inbox still reaches
    # the agent); the exfiltration call is stopped by provenance and policy either way.
    classifier = importlib.util.find_spec("torch") is not None
    assert "Attack session: 4 calls, 3 blocked, 1 put to the person" in out
    assert ("tool_result: REDACT (detect.injection)" in out) is classifier
    assert ("[redacted by mcp-firewall]" in out) is classifier
    assert "Revenue is up 12%" in out.split("what the agent received")[1]
    assert "Benign session: 2 calls, 0 blocked" in out
    assert ("detector: detect.injection score" in out) is classifier
    # the provenance edge from the injected output to the exfiltration call's recipient
    assert "--derived_from--> argument to = 'archive@evil.example' (email match, untrusted)" in out
    # the destructive call after the injected mail is put to the person (the client's elicitation),
    # who sees the question and denies it; the audit record holds the answer
    asked = out.split("the question the person sees")[1].split("Another layer")[0]
    assert "delete_all_mail on server inbox" in asked and "Why it asks:" in asked
    assert "the person answers: deny" in asked
    assert "approval answered deny by the user of the demo agent via elicitation" in asked
    assert "firewall.approval_declined" in asked and "decision: DENY" in asked
    for expected in (
        "baseline.untrusted_argument_to_side_effect",
        "baseline.destructive_in_untrusted_context",
        "firewall.unknown_tool",
        "tool_result: ALLOW",
    ):
        assert expected in out

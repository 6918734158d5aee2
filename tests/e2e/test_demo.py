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
    # with the classifier, the mail is flagged and the destructive call it asks for is denied outright;
    # without it, the call is only ambiguous and is put to the person, who denies it
    asked = 0 if classifier else 1
    assert f"Attack session: 4 calls, 3 blocked, {asked} put to the person" in out
    assert ("tool_result: REDACT (detect.injection)" in out) is classifier
    assert ("[redacted by mcp-firewall]" in out) is classifier
    assert "Revenue is up 12%" in out.split("what the agent received")[1]
    assert ("detector: detect.injection score" in out) is classifier
    # the provenance edge from the injected output to the exfiltration call's recipient
    assert "--derived_from--> argument to = 'archive@evil.example' (email match, untrusted)" in out
    attack, benign = out.split("Part 2:")
    destructive = attack.split("3. The mail also says to delete all mail")[1].split("Another layer")[0]
    if classifier:
        assert "baseline.destructive_after_flagged_content" in destructive and "decision: DENY" in destructive
    else:
        assert "the question the person sees" in destructive and "the person answers: deny" in destructive
        assert "firewall.approval_declined" in destructive and "decision: DENY" in destructive
    # the benign session: the user asked to empty the mailbox; the person is asked, approves, it runs
    assert "Benign session: 3 calls, 0 blocked, 1 put to the person" in out
    question = benign.split("the question the person sees")[1]
    assert "delete_all_mail on server inbox" in question and "Why it asks:" in question
    assert "the person answers: once" in question
    assert "approval answered once by the user of the demo agent via elicitation" in question
    assert "decision: ALLOW" in question and "mailbox emptied" in question
    for expected in (
        "baseline.untrusted_argument_to_side_effect",
        "baseline.destructive_in_untrusted_context",
        "firewall.unknown_tool",
        "tool_result: ALLOW",
    ):
        assert expected in out

"""The examples in adapters/README.md (pasted into the top-level README too), run as written,
each in a fresh interpreter. The classifier is turned off through the environment for speed
(test_adapters_langchain.py runs the bundled model). The approval examples ask before the destructive
call after the injected mail, print the question, and reject it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.support import processes

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "adapters" / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
NEEDS = {"langchain": "langchain.agents", "langchain_core": "langchain_core", "agents": "agents"}


EXFIL_BLOCKED = "mcp-firewall blocked this (rule baseline.untrusted_argument_to_side_effect)"
ASKED = "mcp-firewall asks before a call runs: delete_all_mail on server inbox"
REJECTED = (
    "mcp-firewall blocked this (rule baseline.destructive_in_untrusted_context, firewall.approval_declined):"
    " approval was asked and user denied it (via adapter)"
)


def test_the_readme_has_the_examples():
    assert len(EXAMPLES) == 5
    assert sum("delete_all_mail" in code for code in EXAMPLES) == 2  # the approval examples


def test_the_top_level_readme_shows_these_same_examples():
    top = re.findall(
        r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.DOTALL
    )
    for code in top:
        if "mcp_firewall_adapters" in code:
            assert code in EXAMPLES, "an adapter example in README.md differs from adapters/README.md"


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example-{n}" for n in range(1, len(EXAMPLES) + 1)])
def test_a_readme_example_runs_and_blocks_the_exfiltration_or_asks(code: str, tmp_path: Path):
    for word, module in NEEDS.items():
        if re.search(rf"^from {word}\b", code, flags=re.MULTILINE):
            pytest.importorskip(module)
    env = {**os.environ, "MCP_FIREWALL_DETECT__CLASSIFIER": "off"}
    run = processes.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=tmp_path, env=env
    )
    assert run.returncode == 0, run.stderr[-3000:]
    if "delete_all_mail" in code:
        assert ASKED in run.stdout and "the session has read untrusted content" in run.stdout
        assert REJECTED in run.stdout
    else:
        assert EXFIL_BLOCKED in run.stdout

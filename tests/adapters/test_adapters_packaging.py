"""How the adapters are packaged: the import package `mcp_firewall_adapters`, no top-level
`adapters` module, and a core that never imports an agent framework."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support import processes

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("langchain", "langchain_core", "langgraph", "agents", "openai")


def python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed environment, away from the checkout (pytest puts the repository on sys.path)."""
    return processes.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_the_adapters_install_as_mcp_firewall_adapters_and_not_as_adapters(tmp_path: Path):
    ok = python("import mcp_firewall_adapters, mcp_firewall_adapters.runtime; print('ok')", tmp_path)
    assert ok.returncode == 0 and ok.stdout.strip() == "ok", ok.stderr
    missing = python("import adapters", tmp_path)
    assert missing.returncode != 0 and "No module named 'adapters'" in missing.stderr


def test_the_core_and_the_adapters_package_import_no_framework(tmp_path: Path):
    code = (
        "import sys, firewall.cli, firewall.app, firewall.guard.session, firewall.tools.replay_command, "
        "mcp_firewall_adapters, mcp_firewall_adapters.runtime, mcp_firewall_adapters.session\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r}))"
    )
    run = python(code, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_no_core_module_names_a_framework():
    pattern = re.compile(rf"^\s*(from|import)\s+({'|'.join(FRAMEWORKS)})\b", re.MULTILINE)
    offenders = [
        p for p in (ROOT / "firewall").rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []

"""The core is sans-I/O and self-contained: importing it loads nothing of the rest of the firewall,
nor the heavy libraries the rest uses (networkx for the graph, pydantic-settings for the config)."""

import subprocess
import sys

import pytest

CORE_MODULES = [
    "firewall.core.events",
    "firewall.core.pipeline",
    "firewall.core.labels",
    "firewall.core.records",
    "firewall.core.payloads",
    "firewall.core.view",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_imports_only_the_core(module: str) -> None:
    # A fresh interpreter: this test process has imported everything already.
    probe = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('firewall') and m != 'firewall'"
        " and not m.startswith('firewall.core'))\n"
        "heavy = sorted(m for m in ('networkx', 'pydantic_settings', 'pydantic', 'mcp', 'regorus', 'torch')"
        " if m in sys.modules)\n"
        "print(repr((loaded, heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == repr(([], []))

"""The official MCP reference servers, as installed by .ci/reference_servers.sh: where they are and
how each is started.

The install folder is `$REFERENCE_SERVERS_DIR`, else build/reference-servers in the repository:

- DIR/npm/node_modules/@modelcontextprotocol/server-{filesystem,memory,everything}, run with
  `node <package>/dist/index.js` (each package's `bin`);
- DIR/{git,time,fetch}/bin/mcp-server-{git,time,fetch}, one virtual environment each.

`require(name)` gives a server's command line. A server that is not installed skips the test with
the command that installs it, except under `CI=true`, where CI has installed them and a missing one
fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_DIR: Final = ROOT / "build" / "reference-servers"
ENV_VAR: Final = "REFERENCE_SERVERS_DIR"
INSTALL: Final = ".ci/reference_servers.sh"

NPM_SERVERS: Final = {
    "everything": "server-everything",
    "filesystem": "server-filesystem",
    "memory": "server-memory",
}
"""Server name -> npm package under @modelcontextprotocol/."""

PYPI_SERVERS: Final = ("git", "time", "fetch")
"""Servers from PyPI: DIR/NAME/bin/mcp-server-NAME."""


def servers_dir() -> Path:
    """Where the reference servers are installed: $REFERENCE_SERVERS_DIR or build/reference-servers."""
    configured = os.environ.get(ENV_VAR, "").strip()
    return Path(configured).expanduser().resolve() if configured else DEFAULT_DIR


def in_ci() -> bool:
    """True under CI (`CI=true`), where a missing reference server is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _npm_entry(directory: Path, package: str) -> Path:
    """The script a package's `bin` names (dist/index.js for all three), from its package.json."""
    package_dir = directory / "npm" / "node_modules" / "@modelcontextprotocol" / package
    manifest = json.loads((package_dir / "package.json").read_text())
    binary = manifest.get("bin")
    relative = next(iter(binary.values())) if isinstance(binary, dict) else binary or manifest["main"]
    return package_dir / str(relative)


def locate(name: str) -> list[str] | str:
    """The command line that starts server `name` (without its own arguments), or why it cannot."""
    directory = servers_dir()
    if name in NPM_SERVERS:
        node = shutil.which("node")
        if node is None:
            return "`node` is not on PATH"
        try:
            entry = _npm_entry(directory, NPM_SERVERS[name])
        except (OSError, ValueError, KeyError) as error:
            return f"@modelcontextprotocol/{NPM_SERVERS[name]} is not installed in {directory}/npm ({error})"
        if not entry.is_file():
            return f"{entry} does not exist"
        return [node, str(entry)]
    if name in PYPI_SERVERS:
        executable = directory / name / "bin" / f"mcp-server-{name}"
        if not os.access(executable, os.X_OK):
            return f"{executable} is not installed"
        return [str(executable)]
    raise KeyError(f"unknown reference server {name!r}")


def require(name: str) -> list[str]:
    """Server `name`'s command line; skips the test when it is not installed (fails under CI=true)."""
    found = locate(name)
    if isinstance(found, list):
        return found
    reason = (
        f"reference server {name!r} unavailable: {found}; install with `{INSTALL} DIR` and set {ENV_VAR}=DIR"
    )
    if in_ci():
        pytest.fail(f"{reason} (CI=true: CI installs the reference servers, so this is a failure)")
    pytest.skip(reason)

"""Discovery files: how `mcp-firewall approvals` finds the approval pages of running firewalls.

Each firewall process that serves an approval page writes one JSON file, mode 0600, into the
approvals directory ([approval] directory, default $XDG_STATE_HOME/mcp-firewall/approvals or
~/.local/state/mcp-firewall/approvals): {url, token, pid, name, started}. It removes the file on
exit; a reader skips files whose process is gone (a firewall that was killed leaves its file).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_PREFIX = "firewall-"


@dataclass(frozen=True)
class Discovery:
    """One running firewall's approval page, as its discovery file describes it."""

    url: str
    """The page's base URL (http://127.0.0.1:PORT)."""
    token: str
    pid: int
    name: str
    """The wrapped server's name (wrap) or "gateway"."""
    started: str

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return asdict(self)


def default_directory() -> Path:
    """$XDG_STATE_HOME/mcp-firewall/approvals, or ~/.local/state/mcp-firewall/approvals."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "mcp-firewall" / "approvals"


def directory_for(configured: Path | None) -> Path:
    """The configured directory ([approval] directory), else the default one."""
    return configured.expanduser() if configured is not None else default_directory()


def write(directory: Path, discovery: Discovery) -> Path:
    """Write this process's discovery file (atomically, mode 0600; the directory 0700) and
    return its path."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{_PREFIX}{discovery.pid}.json"
    # mkstemp creates the file 0600: the token is never readable by others, not even briefly.
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(discovery.to_json(), out)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def remove(path: Path) -> None:
    """Remove a discovery file; one already gone is fine."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def running(directory: Path) -> list[Discovery]:
    """The discovery files of live processes in `directory`, oldest first. Files that cannot be
    read, that another user owns, or whose process is gone are skipped."""
    found: list[Discovery] = []
    try:
        paths = sorted(directory.glob(f"{_PREFIX}*.json"))
    except OSError:
        return []
    for path in paths:
        discovery = _read(path)
        if discovery is not None and alive(discovery.pid):
            found.append(discovery)
    return sorted(found, key=lambda d: (d.started, d.pid))


def _read(path: Path) -> Discovery | None:
    try:
        if path.stat().st_uid != os.getuid():
            return None  # someone else's file in our directory: never send them our answers
        data = json.loads(path.read_text(encoding="utf-8"))
        return Discovery(
            url=str(data["url"]),
            token=str(data["token"]),
            pid=int(data["pid"]),
            name=str(data.get("name", "")),
            started=str(data.get("started", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True

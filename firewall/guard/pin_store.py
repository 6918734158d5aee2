"""The pin store: tool definitions pinned across sessions (trust on first use), in a local JSON file.

A session's ToolPins (firewall.guard.state) pins each tool definition as first seen in that session;
with a store it also compares it with the definition stored from earlier sessions, so a definition
that changed between two sessions (a rug pull while nobody was looking) is "changed" too, and a
tool a known server did not have before is "added". docs/pins.md describes the semantics.

The file ([pins] file, default $XDG_STATE_HOME/mcp-firewall/pins.json, or
~/.local/state/mcp-firewall/pins.json) maps a server identity to its tools' definition digests:

    {"version": 1, "servers": {"<identity>": {"name": "mail", "target": "stdio: npx mail-server",
      "first_seen": "2026-01-01T00:00:00+00:00",
      "tools": {"send_email": {"digest": "<sha256>", "first_seen": "...", "state": "pinned",
                               "seen": "<sha256 of a different definition>", "changed_at": "..."}}}}}

Every change is a read-merge-write under an exclusive lock on a sidecar file (pins.json.lock), so
two firewalls writing at once never lose each other's pins; the file is replaced atomically (temp
file + rename) and is mode 0600. A corrupt file is never overwritten: it is moved aside to
pins.json.corrupt-<time> with a warning, and the store starts again empty. A file that cannot be
read (permissions) is treated as empty and never written. Neither stops the firewall.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shlex
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from firewall.config import PinsConfig, ServerConfig

log = logging.getLogger(__name__)

VERSION: Final = 1
"""The file format version this firewall reads and writes."""
LOCK_TIMEOUT_SECONDS = 5.0
"""How long an update waits for another process's lock before it gives up (with a warning)."""

StoredState = Literal["pinned", "added"]
Observed = Literal["pinned", "added", "changed"]


class PinStoreError(Exception):
    """The store could not be read or updated (the session then pins for itself only)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoredTool(_Model):
    """One tool's stored pin."""

    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The fingerprint (firewall.core.payloads.fingerprint) of the definition that was pinned."""
    first_seen: str
    state: StoredState = "pinned"
    """added: the tool was not in the server's set when it first appeared, and is reported "added"
    until the operator accepts it (`mcp-firewall pins accept`)."""
    seen: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """The digest of the last definition seen that differs from the pinned one (a change)."""
    changed_at: str | None = None


class StoredServer(_Model):
    """One server identity's stored pins."""

    name: str
    target: str
    first_seen: str
    tools: dict[str, StoredTool] = Field(default_factory=dict)


class PinFile(_Model):
    """The whole file."""

    version: Literal[1] = VERSION
    servers: dict[str, StoredServer] = Field(default_factory=dict)


@dataclass(frozen=True)
class ServerId:
    """A server's identity in the store: its configured name and what the firewall reaches it by
    (the stdio command line, or the streamable-HTTP URL). Environment, headers and cwd are left out
    (they may hold secrets); the serverInfo a server reports is left out too: the server chooses it,
    and it is not known where tools are pinned."""

    name: str
    target: str

    @classmethod
    def stdio(cls, name: str, command: list[str]) -> ServerId:
        """A stdio server: name and command line."""
        return cls(name, "stdio: " + shlex.join(command))

    @classmethod
    def http(cls, name: str, url: str) -> ServerId:
        """A streamable-HTTP server: name and URL."""
        return cls(name, "http: " + url)

    @property
    def key(self) -> str:
        """The identity as the file's key."""
        return f"{self.name} {self.target}"


@dataclass(frozen=True)
class Observation:
    """What the store says of the tools a session has just seen for the first time."""

    states: dict[str, Observed]
    """Per tool: pinned (as stored, or stored now), added (not in the server's stored set), or
    changed (differs from the stored definition)."""
    created: bool
    """Whether this observation created the server's entry (trust on first use)."""


def now() -> str:
    """The current UTC time, as the file records it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_path() -> Path:
    """$XDG_STATE_HOME/mcp-firewall/pins.json, or ~/.local/state/mcp-firewall/pins.json."""
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "mcp-firewall" / "pins.json"


class PinStore:
    """The pins file: read, and updated under its lock (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._warned: set[str] = set()

    # -- reading ---------------------------------------------------------------------------------

    def load(self) -> PinFile:
        """The stored pins for reading (an unreadable or corrupt file warns and reads as empty)."""
        found, _ = self._read(move_corrupt=False)
        return found or PinFile()

    def _read(self, *, move_corrupt: bool) -> tuple[PinFile | None, bool]:
        """(the file, writable): no file is an empty store; a corrupt one is moved aside when
        `move_corrupt` (under the lock), so the next write starts afresh without destroying it;
        one that cannot be read is (None, False): never written over."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return PinFile(), True
        except OSError as exc:
            self.warn("read", f"cannot read the pins file {self.path}: {exc}; stored pins are not used")
            return None, False
        try:
            return PinFile.model_validate(json.loads(raw)), True
        except (ValueError, ValidationError) as exc:  # UnicodeDecodeError is a ValueError
            reason = str(exc).splitlines()[0]
            if not move_corrupt:
                self.warn("corrupt", f"the pins file {self.path} is corrupt ({reason}); read as empty")
                return PinFile(), False
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
            try:
                os.replace(self.path, aside)
            except OSError as move:
                self.warn(
                    "corrupt",
                    f"the pins file {self.path} is corrupt ({reason}) and cannot be moved "
                    f"aside ({move}); stored pins are not used",
                )
                return None, False
            log.warning(
                "the pins file %s is corrupt (%s): moved to %s; pinning starts again",
                self.path,
                reason,
                aside,
            )
            return PinFile(), True

    def warn(self, kind: str, message: str) -> None:
        """Warn once per kind of problem (a session lists often; one warning says it)."""
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning("%s", message)

    # -- updating --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the sidecar lock (exclusive, across processes); PinStoreError past LOCK_TIMEOUT."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise PinStoreError(f"cannot open the pins lock {self.lock_path}: {exc}") from None
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise PinStoreError(
                            f"the pins lock {self.lock_path} is held by another process"
                        ) from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @contextlib.contextmanager
    def editing(self) -> Iterator[PinFile]:
        """Read the file under the lock, let the body change it, write it back atomically."""
        with self._locked():
            found, writable = self._read(move_corrupt=True)
            if found is None or not writable:
                raise PinStoreError(f"the pins file {self.path} cannot be used")
            before = found.model_dump()
            yield found
            if found.model_dump() != before:
                self._write(found)

    def _write(self, pins: PinFile) -> None:
        directory = self.path.parent
        try:
            # mkstemp creates the file 0600; os.replace makes it appear whole or not at all.
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".pins-", suffix=".tmp")
        except OSError as exc:
            raise PinStoreError(f"cannot write the pins file in {directory}: {exc}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(pins.model_dump(exclude_none=True), out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise PinStoreError(f"cannot write the pins file {self.path}: {exc}") from None

    def observe(
        self, server: ServerId, tools: Mapping[str, str], *, first_list: bool, trusted: bool = False
    ) -> Observation:
        """Compare tools (name -> digest) a session sees for the first time with the stored pins,
        and store what is new. An unknown server is stored whole (trust on first use); a tool the
        server's stored set lacks is stored "added" unless it is part of the first list of a server
        this very observation creates; a digest that differs from the stored one is "changed" (the
        stored pin is kept, the new digest recorded as `seen`). `first_list`: the tools are part of
        the session's first list of the server (else they appeared later in the session: "added").
        Raises PinStoreError when the file cannot be used."""
        states: dict[str, Observed] = {}
        with self.editing() as pins:
            stamp = now()
            entry = pins.servers.get(server.key)
            created = entry is None
            if entry is None:
                entry = pins.servers[server.key] = StoredServer(
                    name=server.name, target=server.target, first_seen=stamp
                )
            for name, digest in tools.items():
                stored = entry.tools.get(name)
                if stored is None:
                    state: StoredState = "pinned" if first_list and (created or trusted) else "added"
                    entry.tools[name] = StoredTool(digest=digest, first_seen=stamp, state=state)
                    states[name] = state
                elif stored.digest == digest:
                    states[name] = stored.state
                else:
                    if stored.seen != digest:
                        stored.seen, stored.changed_at = digest, stamp
                    states[name] = "changed"
        return Observation(states, created)

    # -- the operator's commands -------------------------------------------------------------------

    def reset(self, server: str | None = None, tool: str | None = None) -> int:
        """Forget pins: every server's (no `server`), one server's, or one tool's; the next listing
        pins again. `server` matches a configured name or a whole identity. Returns how many
        tools' pins were forgotten."""
        forgotten = 0
        with self.editing() as pins:
            for key in [k for k, entry in pins.servers.items() if _matches(k, entry, server)]:
                entry = pins.servers[key]
                if tool is None:
                    forgotten += len(entry.tools)
                    del pins.servers[key]
                elif entry.tools.pop(tool, None) is not None:
                    forgotten += 1
        return forgotten

    def accept(self, server: str, tool: str | None = None) -> int:
        """Accept the server's current definitions: a changed tool's last seen definition becomes
        its pin, an added tool becomes pinned. Returns how many tools' pins changed."""
        accepted = 0
        with self.editing() as pins:
            for key, entry in pins.servers.items():
                if not _matches(key, entry, server):
                    continue
                for name, stored in entry.tools.items():
                    if tool is not None and name != tool:
                        continue
                    if stored.seen is None and stored.state == "pinned":
                        continue
                    if stored.seen is not None:
                        stored.digest, stored.seen, stored.changed_at = stored.seen, None, None
                    stored.state = "pinned"
                    accepted += 1
        return accepted


def _matches(key: str, entry: StoredServer, server: str | None) -> bool:
    return server is None or server in (key, entry.name)


def tool_state(stored: StoredTool) -> Observed:
    """A stored tool's state as `pins list` shows it: changed when a different definition was
    seen since it was pinned."""
    return "changed" if stored.seen is not None else stored.state


@dataclass
class PinBinding:
    """A firewall's pin store and the identities of the servers it knows (by configured name):
    only those servers' tools are pinned across sessions (an in-process caller's server with no
    known identity is pinned per session only)."""

    store: PinStore
    servers: dict[str, ServerId] = field(default_factory=dict)

    def observe(
        self, server: str, tools: Mapping[str, str], *, first_list: bool, trusted: bool = False
    ) -> Observation | None:
        """The store's view of the tools (PinStore.observe), or None when the server has no known
        identity or the store cannot be used (warned on stderr; the session pins for itself)."""
        identity = self.servers.get(server)
        if identity is None:
            return None
        try:
            return self.store.observe(identity, tools, first_list=first_list, trusted=trusted)
        except PinStoreError as exc:
            self.store.warn("update", f"{exc}; tool definitions are pinned for this session only")
            return None


def describe(pins: PinFile, server: str | None = None) -> list[dict[str, Any]]:
    """The stored pins as rows for `pins list` (one per tool), ordered by identity then tool."""
    rows = []
    for key in sorted(pins.servers):
        entry = pins.servers[key]
        if not _matches(key, entry, server):
            continue
        for name in sorted(entry.tools):
            stored = entry.tools[name]
            rows.append(
                {
                    "server": entry.name,
                    "target": entry.target,
                    "tool": name,
                    "state": tool_state(stored),
                    "digest": stored.digest,
                    "first_seen": stored.first_seen,
                    **({"seen": stored.seen, "changed_at": stored.changed_at} if stored.seen else {}),
                }
            )
    return rows


def pin_binding(pins: PinsConfig, servers: Mapping[str, ServerConfig]) -> PinBinding | None:
    """The binding [pins] configures, knowing the [servers] identities (wrap adds its own server's);
    None when [pins] is off."""
    if not pins.enabled:
        return None
    path = pins.file.expanduser() if pins.file is not None else default_path()
    known = {
        name: ServerId.stdio(name, server.command)
        if server.command is not None
        else ServerId.http(name, str(server.url))
        for name, server in servers.items()
    }
    return PinBinding(PinStore(path), known)

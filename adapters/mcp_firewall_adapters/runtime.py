"""The firewall for agents that call their tools in process: built once, on a thread of its own.

`FirewallRuntime` builds the firewall (`firewall.app.build_firewall`, the composition root the relay
uses) on a private thread that runs an asyncio event loop, and runs every decision there. Callers
on any thread (a sync agent's tool threads) or any event loop (an async agent) hand their checks
to that loop and wait. Why a thread of its own:

- the embedded Rego engine (regorus) is bound to the thread that compiled it: it evaluates in
  microseconds there and must not even be dropped elsewhere (firewall/policy/engine.py);
- the classifier's batcher and the `FirewallSession` expect one event loop to drive a session.

So the firewall is created, used and released on that one thread, whatever threads the agent
framework uses. A session (`RuntimeSession`, one agent conversation, over the FirewallSession the
runtime opens for it) is cheap; the runtime (policy compiled, classifier loaded) is built once and
shared.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from firewall.app import build_firewall
from firewall.config import FirewallConfig, load_config
from firewall.guard.firewall import Firewall
from firewall.guard.stages import RuleStage
from mcp_firewall_adapters.approval import ApproverLike, as_approver

if TYPE_CHECKING:
    from mcp_firewall_adapters.session import RuntimeSession

T = TypeVar("T")

FirewallSource = FirewallConfig | str | os.PathLike[str] | Callable[[], Firewall] | None
"""What a deployer gives an adapter: a config (object or TOML path; None reads the defaults and
MCP_FIREWALL_* variables), or a function that builds the Firewall (it runs on the runtime's thread)."""


class RuntimeClosed(RuntimeError):
    """The runtime was closed: its firewall is gone."""


class _Closed:
    """Stands in for the firewall of a session whose runtime was closed."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeClosed("this mcp-firewall runtime is closed")


def config_of(source: FirewallConfig | str | os.PathLike[str] | None) -> FirewallConfig:
    """A config as is, else loaded from the TOML path (None: the defaults and MCP_FIREWALL_*
    variables)."""
    if isinstance(source, FirewallConfig):
        return source
    return load_config(Path(source) if source is not None else None)


class FirewallRuntime:
    """One firewall, its own event-loop thread, and the sessions deciding through it.

    >>> runtime = FirewallRuntime("firewall.toml")     # or a FirewallConfig, or None for the defaults
    >>> session = runtime.session()                    # one agent conversation
    >>> session.add_message("user", "Summarise my inbox")
    >>> runtime.close()                                # also runs at interpreter exit

    `approver`: who answers the questions of its sessions' calls that the policy asks about (an
    Approver, or a callable taking the Question; see mcp_firewall_adapters.approval).
    """

    def __init__(
        self,
        firewall: FirewallSource = None,
        *,
        name: str = "mcp-firewall",
        approver: ApproverLike | None = None,
    ) -> None:
        self.config: FirewallConfig | None = None
        self.approver = as_approver(approver)
        """The default approver of its sessions (None: the framework's flow, else the firewall's)."""
        if isinstance(firewall, Firewall):
            raise TypeError(
                "FirewallRuntime builds its firewall on its own thread (its Rego engine is bound to the "
                "thread that compiled it): pass the config, or a function that builds the Firewall"
            )
        if callable(firewall) and not isinstance(firewall, FirewallConfig):
            build: Callable[[], Firewall] = firewall
        else:
            self.config = config_of(firewall)
            config = self.config
            build = lambda: build_firewall(config)  # noqa: E731
        self._loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[Firewall] = concurrent.futures.Future()
        self._sessions: weakref.WeakSet[RuntimeSession] = weakref.WeakSet()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, args=(build, ready), name=name, daemon=True)
        self._thread.start()
        try:
            self.firewall: Firewall = ready.result()  # a config error surfaces here, in the caller
        finally:
            del ready  # the future holds the firewall too: only the runtime may (see _release)
        atexit.register(self.close)

    def _serve(self, build: Callable[[], Firewall], ready: concurrent.futures.Future[Firewall]) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            ready.set_result(build())
        except BaseException as exc:
            ready.set_exception(exc)
            self._loop.close()
            return
        finally:
            del ready
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop on the runtime's thread, where every decision runs."""
        return self._loop

    def on_thread(self) -> bool:
        """Whether the caller is on the runtime's thread (there, await the work directly)."""
        return threading.current_thread() is self._thread

    def run(self, work: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run `work(*args)` on the runtime's loop and wait for it (from any other thread)."""
        if self.on_thread():
            raise RuntimeError("FirewallRuntime.run called on its own thread: await arun instead")
        return self._submit(work, *args).result()

    async def arun(self, work: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run `work(*args)` on the runtime's loop and await it from the caller's loop."""
        if self.on_thread():
            return await work(*args)
        return await asyncio.wrap_future(self._submit(work, *args))

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the runtime's thread (the session graphs live there)."""
        if self.on_thread():
            return fn(*args)

        async def work() -> T:
            return fn(*args)

        return self._submit(work).result()

    def _submit(self, work: Callable[..., Awaitable[T]], *args: Any) -> concurrent.futures.Future[T]:
        if self._closed:
            raise RuntimeClosed("this mcp-firewall runtime is closed")
        return asyncio.run_coroutine_threadsafe(_call(work, *args), self._loop)

    def session(
        self, *, principal: str = "local", record: bool = False, approver: ApproverLike | None = None
    ) -> RuntimeSession:
        """A new agent session (its own SessionState: provenance graph, catalog, pins). `record`:
        keep the trace it saw (docs/trace-format.md) for `mcp-firewall replay`. `approver`: who
        answers its calls' questions (default the runtime's)."""
        from mcp_firewall_adapters.session import RuntimeSession

        session = RuntimeSession(
            self,
            self.firewall.open_session(principal=principal),
            record=record,
            approver=as_approver(approver) or self.approver,
        )
        self._sessions.add(session)
        return session

    def never_allowed(self, server: str, tool: str) -> bool:
        """A `[[rules]]` deny rule matches every call of this tool, whatever its arguments (the
        first matching rule decides, as in RuleStage)."""
        for stage in self.firewall.pipeline.stages:
            if isinstance(stage, RuleStage):
                for rule in stage.rules:
                    if fnmatchcase(server, rule.server) and fnmatchcase(tool, rule.tool):
                        return rule.action == "deny"
        return False

    def close(self) -> None:
        """Close the audit log and release the firewall on its own thread; idempotent."""
        if self._closed:
            return
        atexit.unregister(self.close)
        if self._thread.is_alive() and not self.on_thread():
            self.call(self._release)
            self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._closed = True

    def _release(self) -> None:
        self.firewall.audit.close()
        for session in list(self._sessions):
            session.firewall_session.firewall = _Closed()  # type: ignore[assignment]
        self.firewall = _Closed()  # type: ignore[assignment]  # the last reference goes here, on this thread

    def __enter__(self) -> FirewallRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _call(work: Callable[..., Awaitable[T]], *args: Any) -> T:
    return await work(*args)


def runtime_of(source: FirewallRuntime | FirewallSource) -> FirewallRuntime:
    """An adapter's argument as a runtime: a runtime as is, anything else built into one."""
    return source if isinstance(source, FirewallRuntime) else FirewallRuntime(source)

"""Subprocesses in the tests: never waited on without a deadline, never left running.

Every process is started in a session (and process group) of its own, and every wait on it is
bounded. When a deadline passes the process is killed together with its process group and its
descendants (the firewall starts the servers it wraps in sessions of their own, out of the group's
reach), then reaped with a bounded wait, and the test fails: a hung firewall fails a test instead
of hanging pytest.

- `run`: `subprocess.run` with a mandatory timeout that kills the whole tree, not the child alone.
- `popen`: a `subprocess.Popen` context manager; its exit terminates, waits, kills, waits.
- `read_line`: the first line a `Popen` writes to stdout, read against a deadline.
- `open_process`, `wait`, `read_all`: the same for `anyio` processes.
- `SubprocessWatchdog`: the backstop behind them, for waits no helper sees (an SDK client waiting
  on a reply from a hung subprocess): once a test outlives its deadline it kills the processes
  the test started, so whatever waits on them sees EOF, and fails the test.

A deadline that passes raises `HungProcess`, an `AssertionError`: pytest reports a failure.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import IO, Any

import anyio
import psutil
from anyio.abc import ByteReceiveStream, Process

STOP_SECONDS = 10.0
"""How long a process gets to exit after SIGTERM (or after SIGKILL, when killed outright)."""

REAP_SECONDS = 5.0
"""How long a SIGKILLed process gets to be reaped: only an unkillable one runs this out."""

_POLL = 0.01


class HungProcess(AssertionError):
    """A subprocess outlived its deadline; it has been killed, with its process group."""


# ------------------------------------------------------------------ killing


def _signal_group(pgid: int, signum: int = signal.SIGKILL) -> None:
    """Signal a process group (never pytest's own); a group already gone is fine."""
    if pgid <= 1 or pgid == os.getpgrp():
        return
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def kill_tree(pid: int) -> None:
    """SIGKILL the process group `pid` leads, and every descendant of `pid` with its own group.

    The descendants are listed first: once the leader is dead its orphans can no longer be found.
    `pid` must have been started with start_new_session=True (its pid is its group's id).
    """
    descendants = _descendants(pid)
    _signal_group(pid)
    for child in descendants:
        with suppress(psutil.Error):
            _signal_group(os.getpgid(child.pid))
            child.kill()  # psutil checks the pid still names the same process


def _describe(args: Any) -> str:
    text = " ".join(map(str, args)) if isinstance(args, Sequence) and not isinstance(args, str) else str(args)
    return text if len(text) <= 200 else text[:197] + "..."


# ------------------------------------------------------------------ subprocess.Popen


def _reap(process: subprocess.Popen[Any], timeout: float = REAP_SECONDS) -> None:
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        raise HungProcess(
            f"pid {process.pid} survived SIGKILL for {timeout}s: {_describe(process.args)}"
        ) from None


def stop(process: subprocess.Popen[Any], *, timeout: float = STOP_SECONDS, kill: bool = False) -> int:
    """Stop `process` (started with start_new_session=True) and return its exit status.

    SIGTERM to the process (SIGKILL to its whole tree with `kill`), a wait of `timeout` seconds,
    then SIGKILL to the tree, a bounded wait, and `HungProcess`. Whatever is left of its process
    group once it has exited (orphans it did not wait for) is killed as well.
    """
    if process.poll() is None:
        if kill:
            kill_tree(process.pid)
        else:
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)
            _reap(process)
            raise HungProcess(
                f"pid {process.pid} did not exit within {timeout}s of "
                f"{'SIGKILL' if kill else 'SIGTERM'}; killed with its process group: "
                f"{_describe(process.args)}"
            ) from None
    _signal_group(process.pid)
    return process.returncode


def _close(*streams: IO[Any] | None) -> None:
    for stream in streams:
        if stream is not None:
            with suppress(OSError):
                stream.close()


@contextmanager
def popen(
    args: Sequence[str], *, stop_timeout: float = STOP_SECONDS, kill: bool = False, **kwargs: Any
) -> Iterator[subprocess.Popen[Any]]:
    """`subprocess.Popen(args, **kwargs)` in a session of its own, stopped on exit with `stop`.

    `kill` kills it outright on exit instead of asking it to terminate first.
    """
    process = subprocess.Popen(args, start_new_session=True, **kwargs)
    try:
        yield process
    finally:
        try:
            stop(process, timeout=stop_timeout, kill=kill)
        finally:
            _close(process.stdin, process.stdout, process.stderr)


def read_line(process: subprocess.Popen[Any], timeout: float, *, what: str = "the process") -> str:
    """The first line `process` writes to its stdout pipe (without the newline), within `timeout`.

    Reads the pipe's descriptor directly, so call it before anything else reads `process.stdout`;
    what follows the line is discarded. At EOF it returns what there was (maybe ""); when the
    deadline passes it raises TimeoutError (the caller's `popen` then stops the process).
    """
    assert process.stdout is not None, "start the process with stdout=subprocess.PIPE"
    fd = process.stdout.fileno()
    deadline = time.monotonic() + timeout
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError(f"{what} wrote no line within {timeout}s (so far: {data[:200]!r})")
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    return data.split(b"\n", 1)[0].decode(errors="replace").rstrip("\r")


def run(
    args: Sequence[str],
    *,
    timeout: float,
    input: str | bytes | None = None,
    capture_output: bool = False,
    check: bool = False,
    **kwargs: Any,
) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run` in a session of its own, with a mandatory timeout.

    On timeout it kills the process's whole tree (subprocess.run kills the child alone, leaving
    what it started running) and raises `subprocess.TimeoutExpired`, as subprocess.run does.
    Stragglers left in its process group after it exits are killed too.
    """
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    process = subprocess.Popen(args, start_new_session=True, **kwargs)
    try:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            kill_tree(process.pid)
            # what it wrote before the deadline, bounded: a survivor could hold the pipes open
            with suppress(subprocess.TimeoutExpired):
                expired.stdout, expired.stderr = process.communicate(timeout=REAP_SECONDS)
            _reap(process)
            raise
        except BaseException:
            kill_tree(process.pid)
            _reap(process)
            raise
    finally:
        _signal_group(process.pid)
        _close(process.stdin, process.stdout, process.stderr)
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check:
        completed.check_returncode()
    return completed


# ------------------------------------------------------------------ anyio processes


async def _exited(process: Process, timeout: float) -> bool:
    """Whether `process` exits within `timeout`, polling its returncode.

    Not `process.wait()`: on asyncio it also waits for the pipes to close, which a descendant
    holding them open delays indefinitely.
    """
    with anyio.move_on_after(timeout):
        while process.returncode is None:
            await anyio.sleep(_POLL)
    return process.returncode is not None


async def _areap(process: Process) -> None:
    if not await _exited(process, REAP_SECONDS):
        raise HungProcess(f"pid {process.pid} survived SIGKILL for {REAP_SECONDS}s")


async def wait(process: Process, timeout: float = STOP_SECONDS) -> int:
    """Wait for `process` (started with start_new_session=True) to exit; its exit status.

    Past `timeout` it is killed with its tree and `HungProcess` is raised.
    """
    if not await _exited(process, timeout):
        kill_tree(process.pid)
        await _areap(process)
        raise HungProcess(f"pid {process.pid} did not exit within {timeout}s; killed with its process group")
    assert process.returncode is not None
    return process.returncode


async def astop(process: Process, *, timeout: float = STOP_SECONDS) -> int:
    """Stop an anyio process: close its stdin, SIGTERM it, wait `timeout` seconds, then kill its
    tree, wait again (bounded) and raise `HungProcess`; then close its pipes. Its exit status."""
    with anyio.CancelScope(shield=True):
        try:
            if process.stdin is not None:
                with suppress(Exception):
                    await process.stdin.aclose()
            if process.returncode is None:
                with suppress(ProcessLookupError):
                    process.terminate()
                if not await _exited(process, timeout):
                    kill_tree(process.pid)
                    await _areap(process)
                    raise HungProcess(
                        f"pid {process.pid} did not exit within {timeout}s of SIGTERM; "
                        "killed with its process group"
                    )
            _signal_group(process.pid)
        finally:
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    with suppress(Exception):
                        await stream.aclose()
    assert process.returncode is not None
    return process.returncode


@asynccontextmanager
async def open_process(
    command: Sequence[str], *, stop_timeout: float = STOP_SECONDS, **kwargs: Any
) -> AsyncIterator[Process]:
    """`anyio.open_process(command, **kwargs)` in a session of its own, stopped on exit with `astop`.

    Use it instead of `async with process:`, whose exit waits for the process without a deadline.
    """
    process = await anyio.open_process(list(command), start_new_session=True, **kwargs)
    try:
        yield process
    finally:
        await astop(process, timeout=stop_timeout)


async def read_all(stream: ByteReceiveStream, timeout: float = STOP_SECONDS) -> bytes:
    """Everything left on a process's stdout or stderr, to EOF, within `timeout` (else HungProcess).

    A process that has exited can still leave the pipe open: a descendant holds it.
    """
    chunks: list[bytes] = []
    try:
        with anyio.fail_after(timeout):
            async for chunk in stream:
                chunks.append(chunk)
    except TimeoutError:
        raise HungProcess(
            f"the pipe did not reach EOF within {timeout}s: {b''.join(chunks)[:200]!r}"
        ) from None
    return b"".join(chunks)


# ------------------------------------------------------------------ the backstop


class SubprocessWatchdog:
    """Kills the processes started since it was created once `seconds` have passed.

    The tests' own deadlines come first; this catches a wait none of them covers, such as an SDK
    client awaiting a reply from a hung subprocess: killed, the subprocess closes its pipes, the
    wait ends and the test goes on to fail. Processes that existed before it started are spared.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.killed: list[str] = []
        self._before = {child.pid for child in _descendants(os.getpid())}
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> SubprocessWatchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self._timer.join()

    @property
    def fired(self) -> bool:
        return bool(self.killed)

    def _fire(self) -> None:
        new = [child for child in _descendants(os.getpid()) if child.pid not in self._before]
        pids = {child.pid for child in new}
        for child in new:
            with suppress(psutil.Error):
                self.killed.append(f"{child.pid}: {_describe(child.cmdline())}")
            with suppress(psutil.Error):
                group = os.getpgid(child.pid)
                if group in pids:  # a group a new process leads: orphans in it are found this way
                    _signal_group(group)
                child.kill()

"""tests/support/processes.py: a child that ignores SIGTERM and never exits is killed, with what it
started, within the helper's deadline, and the test is failed rather than hung."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import anyio
import psutil
import pytest
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from tests.support import processes
from tests.support.processes import HungProcess, SubprocessWatchdog

# Ignores SIGTERM and stdin's EOF, starts a grandchild that does the same (in its process group),
# prints "ready <grandchild pid>" once both ignore SIGTERM, then sleeps forever.
STUBBORN = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen(
        [sys.executable, "-c",
         "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(3600)"],
        stdout=subprocess.PIPE,
    )
    grandchild.stdout.readline()
    print(f"ready {grandchild.pid}", flush=True)
    while True:
        time.sleep(3600)
    """
)
COMMAND = [sys.executable, "-c", STUBBORN]
PROMPT = [sys.executable, "-c", "print('hello', flush=True); import sys; sys.stdin.read()"]
DEADLINE = 1.0
SLACK = 10.0  # the kill, the reap, and a loaded machine


def dead(pid: int) -> bool:
    """Gone, or a zombie (this machine's init may never reap an orphan)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def eventually_dead(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not dead(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


async def ready(child: Process) -> int:
    """The grandchild's pid, once STUBBORN is ready."""
    assert child.stdout is not None
    with anyio.fail_after(30):
        line = await BufferedByteReceiveStream(child.stdout).receive_until(b"\n", 1000)
    return int(line.split()[1])


def test_popen_kills_a_child_that_ignores_sigterm_and_fails_within_its_deadline():
    with (
        pytest.raises(HungProcess, match=r"did not exit within 1\.0s of SIGTERM"),
        processes.popen(COMMAND, stop_timeout=DEADLINE, stdout=subprocess.PIPE) as child,
    ):
        grandchild = int(processes.read_line(child, 30).split()[1])
        start = time.monotonic()
    assert time.monotonic() - start < DEADLINE + SLACK
    assert child.returncode == -9
    assert eventually_dead(grandchild), "the grandchild in its process group was killed too"


def test_popen_stops_a_child_that_exits_on_sigterm_without_failing():
    with processes.popen(PROMPT, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
        assert processes.read_line(child, 30) == "hello"
    assert child.returncode == -15


def test_read_line_has_a_deadline():
    silent = [sys.executable, "-c", "import time; time.sleep(60)"]
    with processes.popen(silent, kill=True, stdout=subprocess.PIPE) as child:
        start = time.monotonic()
        with pytest.raises(TimeoutError, match=r"wrote no line within 0\.5s"):
            processes.read_line(child, 0.5)
        assert time.monotonic() - start < SLACK


def test_run_kills_the_whole_tree_when_its_timeout_passes():
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as expired:
        processes.run(COMMAND, capture_output=True, text=True, timeout=8)
    assert time.monotonic() - start < 8 + SLACK
    out = expired.value.stdout
    out = out.decode() if isinstance(out, bytes) else out
    assert out and out.startswith("ready ")
    assert eventually_dead(int(out.split()[1])), "the grandchild was killed with the child"


def test_run_is_subprocess_run_otherwise():
    done = processes.run(
        [sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"],
        input="hi",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout) == (0, "HI\n")
    with pytest.raises(subprocess.CalledProcessError):
        processes.run([sys.executable, "-c", "raise SystemExit(3)"], timeout=30, check=True)


@pytest.mark.anyio
async def test_open_process_kills_a_child_that_ignores_sigterm_and_fails_within_its_deadline():
    with pytest.raises(HungProcess, match=r"did not exit within 1\.0s of SIGTERM"):
        async with processes.open_process(COMMAND, stop_timeout=DEADLINE, stdout=subprocess.PIPE) as child:
            assert child.stdout is not None
            grandchild = await ready(child)
            start = time.monotonic()
    assert time.monotonic() - start < DEADLINE + SLACK
    assert child.returncode == -9
    assert eventually_dead(grandchild)


@pytest.mark.anyio
async def test_wait_and_read_all_have_deadlines():
    async with processes.open_process(COMMAND, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        grandchild = await ready(child)
        start = time.monotonic()
        with pytest.raises(HungProcess, match=r"did not reach EOF within 0\.5s"):
            await processes.read_all(child.stderr, 0.5)
        with pytest.raises(HungProcess, match=r"did not exit within 1\.0s; killed with its process group"):
            await processes.wait(child, DEADLINE)
        assert time.monotonic() - start < DEADLINE + 0.5 + SLACK
        assert child.returncode == -9
        assert eventually_dead(grandchild)


@pytest.mark.anyio
async def test_wait_returns_the_exit_status():
    async with processes.open_process([sys.executable, "-c", "raise SystemExit(4)"]) as child:
        assert await processes.wait(child) == 4


def test_the_watchdog_kills_what_the_test_started_and_spares_the_rest():
    with processes.popen(COMMAND, kill=True, stdout=subprocess.PIPE) as older:
        processes.read_line(older, 30)
        with (
            SubprocessWatchdog(1.0) as watchdog,
            processes.popen(COMMAND, kill=True, stdout=subprocess.PIPE) as hung,
        ):
            grandchild = int(processes.read_line(hung, 30).split()[1])
            hung.wait(30)  # a wait with no deadline of its own, such as a test stuck on a reply
        assert watchdog.fired and any(line.startswith(f"{hung.pid}: ") for line in watchdog.killed)
        assert hung.returncode == -9 and eventually_dead(grandchild)
        assert older.poll() is None, "a process started before the watchdog is spared"

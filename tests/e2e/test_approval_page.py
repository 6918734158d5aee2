"""The out-of-band approval page end to end: a real `mcp-firewall wrap` subprocess with
[approval] page = true around the everything server, the real SDK client WITHOUT the elicitation
capability, and a person answering in a real browser (Debian's chromium, headless, via
playwright) or with `mcp-firewall approvals`. The server's record file proves what reached it;
the audit log says who answered, via what.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from feature_suite import everything_command, read_record, tool_calls
from gateway import firewall_args
from mcp import Client, StdioServerParameters

from firewall.approve import discovery
from tests.support.processes import run
from tests.support.reference_servers import in_ci

pytestmark = pytest.mark.anyio

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
EVIL = "<script>window.pwned = 1</script><img src=x onerror='window.pwned=2'>"
CONFIG = """
[provenance.servers.everything]
trust = 'trusted'
[detect]
classifier = 'off'
[[rules]]
id = 'test.ask-add'
tool = '*add'
action = 'ask'
message = 'adding needs a person'
[[rules]]
id = 'test.ask-echo'
tool = '*echo'
action = 'ask'
message = 'echoing needs a person'
[approval]
page = true
timeout_seconds = 90
directory = '{directory}'
"""


class Wrapped:
    """A wrapper started for one test: its files, and the SDK client's results."""

    def __init__(self, tmp_path: Path) -> None:
        self.record = tmp_path / "record.jsonl"
        self.audit = tmp_path / "audit.jsonl"
        self.directory = tmp_path / "approvals"
        self.config = tmp_path / "fw.toml"
        self.config.write_text(CONFIG.format(directory=self.directory))
        self.results: dict[str, Any] = {}

    def params(self) -> StdioServerParameters:
        args = firewall_args(
            "wrap", "--config", str(self.config), "--audit-log", str(self.audit), "--name", "everything"
        )
        return StdioServerParameters(
            command=args[0], args=[*args[1:], "--", *everything_command(record=self.record)]
        )

    def calls_of(self, tool: str) -> list[dict[str, Any]]:
        return [r.params or {} for r in tool_calls(read_record(self.record), tool)]

    def final(self, tool: str) -> dict[str, Any]:
        """The last settled audit record of a call of `tool`."""
        records = [json.loads(line) for line in self.audit.read_text().splitlines()]
        settled = [
            r
            for r in records
            if r.get("tool") == tool and r["kind"] == "tool_call" and r["decision"] != "ask"
        ]
        return settled[-1]


async def the_page(directory: Path, pending: int) -> tuple[discovery.Discovery, list[dict[str, Any]]]:
    """The wrapper's discovery file, once its page holds `pending` questions."""
    async with httpx.AsyncClient(timeout=5) as client:
        with anyio.fail_after(30):
            while True:
                found = discovery.running(directory)
                if found:
                    page = found[0]
                    response = await client.get(
                        f"{page.url}/api/pending", headers={"Authorization": f"Bearer {page.token}"}
                    )
                    questions = response.json()["pending"]
                    if len(questions) >= pending:
                        return page, questions
                await anyio.sleep(0.05)


@asynccontextmanager
async def calls_waiting(wrapped: Wrapped, *calls: tuple[str, dict[str, Any]]) -> AsyncIterator[None]:
    """The SDK client connected through the wrapper (no elicitation: it cannot be asked), each call
    in a task of its own; the body answers them; on exit every call has its result."""
    async with Client(wrapped.params(), mode="legacy") as client, anyio.create_task_group() as tg:
        for tool, arguments in calls:

            async def call(tool: str = tool, arguments: dict[str, Any] = arguments) -> None:
                wrapped.results[tool] = await client.call_tool(tool, arguments)

            tg.start_soon(call)
        yield


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def browser_or_skip() -> None:
    """Skip without chromium or playwright, except under CI=true, where both must be there."""
    missing = [] if Path(CHROMIUM).exists() else [f"chromium ({CHROMIUM}; apt-get install -y chromium)"]
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[dev]')")
    if missing and not in_ci():
        pytest.skip(f"no real browser: missing {', '.join(missing)}")
    assert not missing, f"CI=true and the browser test cannot run: missing {', '.join(missing)}"


async def test_a_person_approves_one_call_and_denies_another_in_a_real_browser(tmp_path: Path) -> None:
    browser_or_skip()
    from playwright.async_api import async_playwright

    wrapped = Wrapped(tmp_path)
    with anyio.fail_after(120):
        async with calls_waiting(wrapped, ("add", {"a": 2, "b": 3}), ("echo", {"text": EVIL})):
            page_info, questions = await the_page(wrapped.directory, pending=2)
            by_tool = {q["tool"]: q for q in questions}
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                try:
                    page = await browser.new_page()
                    await page.goto(f"{page_info.url}/?token={page_info.token}", timeout=15_000)
                    echo = page.locator(f"#q-{by_tool['echo']['id']}")
                    add = page.locator(f"#q-{by_tool['add']['id']}")
                    # The person reads the question: the attacker's text is shown as text, and ran nothing.
                    await echo.locator("li", has_text="echoing needs a person").wait_for(timeout=10_000)
                    assert EVIL in await echo.locator("pre").first.inner_text()
                    assert await page.evaluate("window.pwned") is None
                    assert "a: 2" in await add.inner_text() or '"a": 2' in await add.inner_text()
                    await add.get_by_role("button", name="Approve once").click(timeout=10_000)
                    await page.get_by_text("Approve once, recorded").wait_for(timeout=10_000)
                    await (
                        page.locator(f"#q-{by_tool['echo']['id']}")
                        .get_by_role("button", name="Deny")
                        .click(timeout=10_000)
                    )
                    await page.get_by_text("Deny, recorded").wait_for(timeout=10_000)
                    await page.get_by_text("Nothing is waiting").wait_for(timeout=10_000)
                    assert await page.evaluate("window.pwned") is None
                finally:
                    await browser.close()
    added, echoed = wrapped.results["add"], wrapped.results["echo"]
    assert not added.is_error and "5" in text_of(added)
    assert echoed.is_error
    assert "approval page denied it" in text_of(echoed) and "echoing needs a person" in text_of(echoed)
    # Only the approved call reached the server.
    assert [c["arguments"] for c in wrapped.calls_of("add")] == [{"a": 2, "b": 3}]
    assert wrapped.calls_of("echo") == []
    allowed, denied = wrapped.final("add"), wrapped.final("echo")
    assert allowed["decision"] == "allow" and "firewall.approved" in allowed["rule_ids"]
    assert allowed["approval"]["by"] == "approval page" and allowed["approval"]["via"] == "page"
    assert allowed["approval"]["answer"] == "once" and allowed["approval"]["at"]
    assert denied["decision"] == "deny" and "firewall.approval_declined" in denied["rule_ids"]
    assert (denied["approval"]["by"], denied["approval"]["via"], denied["approval"]["answer"]) == (
        "approval page",
        "page",
        "deny",
    )
    assert discovery.running(wrapped.directory) == []  # the wrapper removed its file on exit


def approvals(directory: Path, *args: str) -> Any:
    command = [sys.executable, "-m", "firewall", "approvals", *args, "--dir", str(directory)]
    return run(command, timeout=30, capture_output=True, text=True)


async def test_mcp_firewall_approvals_lists_and_answers_a_running_wrapper(tmp_path: Path) -> None:
    wrapped = Wrapped(tmp_path)
    with anyio.fail_after(120):
        async with calls_waiting(wrapped, ("add", {"a": 4, "b": 5}), ("echo", {"text": "hello"})):
            _, questions = await the_page(wrapped.directory, pending=2)
            by_tool = {q["tool"]: q["id"] for q in questions}
            listed = await anyio.to_thread.run_sync(approvals, wrapped.directory, "list")
            assert listed.returncode == 0, listed.stderr
            assert f"[{by_tool['add']}] Allow add on everything?" in listed.stdout
            assert "adding needs a person" in listed.stdout
            as_json = await anyio.to_thread.run_sync(approvals, wrapped.directory, "list", "--json")
            (report,) = json.loads(as_json.stdout)
            assert report["name"] == "everything" and len(report["pending"]) == 2
            unknown = await anyio.to_thread.run_sync(approvals, wrapped.directory, "approve", "nope")
            assert unknown.returncode == 3 and "no pending question 'nope'" in unknown.stderr
            approved = await anyio.to_thread.run_sync(
                approvals, wrapped.directory, "approve", by_tool["add"], "--session"
            )
            assert approved.returncode == 0, approved.stderr
            denied = await anyio.to_thread.run_sync(approvals, wrapped.directory, "deny", by_tool["echo"])
            assert denied.returncode == 0, denied.stderr
    assert not wrapped.results["add"].is_error and wrapped.results["echo"].is_error
    assert len(wrapped.calls_of("add")) == 1 and wrapped.calls_of("echo") == []
    approval = wrapped.final("add")["approval"]
    assert (approval["answer"], approval["by"], approval["via"]) == ("session", getpass.getuser(), "cli")
    assert wrapped.final("echo")["approval"]["via"] == "cli"
    # The wrapper is gone: nothing left to answer.
    gone = await anyio.to_thread.run_sync(approvals, wrapped.directory, "list")
    assert gone.returncode == 1 and "no running firewall" in gone.stderr

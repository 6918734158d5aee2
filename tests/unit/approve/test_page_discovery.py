"""Discovery files, and the wiring that serves the page and publishes its file (app.approval_page)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest

from firewall.app import approval_page, build_firewall
from firewall.approve import discovery
from firewall.approve.broker import ApprovalBroker
from firewall.approve.discovery import Discovery
from firewall.config import ApprovalConfig, load_config
from firewall.core.errors import ConfigError

pytestmark = pytest.mark.anyio


def mine(pid: int | None = None, started: str = "2026-01-01T00:00:00+00:00") -> Discovery:
    return Discovery("http://127.0.0.1:1", "tok", pid or os.getpid(), "srv", started)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


def test_the_default_directory_follows_xdg_state_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert discovery.default_directory() == tmp_path / "mcp-firewall" / "approvals"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    assert discovery.default_directory() == Path.home() / ".local/state/mcp-firewall/approvals"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert discovery.directory_for(None) == Path.home() / ".local/state/mcp-firewall/approvals"
    assert discovery.directory_for(tmp_path) == tmp_path


def test_a_file_is_written_0600_in_a_0700_directory_and_read_back(tmp_path: Path) -> None:
    directory = tmp_path / "approvals"
    path = discovery.write(directory, mine())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["token"] == "tok"
    assert discovery.running(directory) == [mine()]
    assert [p.name for p in directory.iterdir()] == [path.name]  # no temporary left behind
    discovery.remove(path)
    discovery.remove(path)  # twice is fine
    assert discovery.running(directory) == []


def test_readers_skip_dead_processes_and_unreadable_files(tmp_path: Path) -> None:
    discovery.write(tmp_path, mine(dead_pid()))
    (tmp_path / "firewall-1.json").write_text("{not json")
    (tmp_path / "firewall-2.json").write_text(json.dumps({"url": "x"}))
    live = discovery.write(tmp_path, mine())
    assert discovery.running(tmp_path) == [mine()]
    assert discovery.running(tmp_path / "missing") == []
    assert discovery.alive(os.getpid()) and not discovery.alive(0) and not discovery.alive(dead_pid())
    assert live.exists()


def test_build_firewall_gives_the_page_a_broker_only_when_configured() -> None:
    off = build_firewall(load_config(None, **{"detect.classifier": "off"}))
    assert off.approver is None
    config = load_config(
        None, **{"detect.classifier": "off", "approval.page": True, "approval.timeout_seconds": 7}
    )
    on = build_firewall(config)
    assert isinstance(on.approver, ApprovalBroker) and on.approver.timeout == 7


async def test_the_page_is_served_and_published_for_the_body_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(
        None,
        **{"detect.classifier": "off", "approval.page": True, "approval.directory": str(tmp_path)},
    )
    firewall = build_firewall(config)
    with anyio.fail_after(10):
        async with approval_page(firewall, config.approval, "files") as url, httpx.AsyncClient() as client:
            assert url is not None
            (found,) = discovery.running(tmp_path)
            assert (found.url, found.name, found.pid) == (url, "files", os.getpid())
            assert f"{url}/?token={found.token}" in caplog.text
            response = await client.get(
                f"{url}/api/pending", headers={"Authorization": f"Bearer {found.token}"}
            )
            assert response.json() == {"pending": []}
    assert discovery.running(tmp_path) == []


async def test_a_configured_token_is_used_and_a_page_off_serves_nothing(tmp_path: Path) -> None:
    token = "x" * 20
    config = load_config(
        None,
        **{
            "detect.classifier": "off",
            "approval.page": True,
            "approval.page_token": token,
            "approval.directory": str(tmp_path),
        },
    )
    async with approval_page(build_firewall(config), config.approval, "g") as url:
        assert url is not None and discovery.running(tmp_path)[0].token == token
    off = load_config(None, **{"detect.classifier": "off"})
    async with approval_page(build_firewall(off), ApprovalConfig(directory=tmp_path), "g") as url:
        assert url is None and discovery.running(tmp_path) == []


async def test_a_taken_port_or_an_unwritable_directory_is_a_config_error(tmp_path: Path) -> None:
    from firewall.approve.page import listen

    taken = listen(0)
    try:
        port = taken.getsockname()[1]
        config = load_config(
            None, **{"detect.classifier": "off", "approval.page": True, "approval.page_port": port}
        )
        with pytest.raises(ConfigError, match=r"approval\.page_port"):
            async with approval_page(build_firewall(config), config.approval, "g"):
                pass
    finally:
        taken.close()
    blocked = tmp_path / "file"
    blocked.write_text("")
    config = load_config(
        None,
        **{"detect.classifier": "off", "approval.page": True, "approval.directory": str(blocked / "sub")},
    )
    with pytest.raises(ConfigError, match=r"approval\.directory"), anyio.fail_after(10):
        async with approval_page(build_firewall(config), config.approval, "g"):
            pass

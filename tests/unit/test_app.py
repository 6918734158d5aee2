"""The composition root: the firewall built from a configuration, everything that can fail at start
failing there with a message naming the key, and the signal handling the wrapper and gateway run in."""

from __future__ import annotations

import logging
import os
import signal

import anyio
import pytest

from firewall.app import (
    EXIT_SERVER_DOWN,
    build_classifier,
    build_firewall,
    policy_paths,
    quietly,
    run_gateway,
    run_wrap,
    stopping_on_signals,
)
from firewall.bundle import REGO_DIR
from firewall.config import FirewallConfig, load_config
from firewall.core.errors import ConfigError
from firewall.core.pipeline import TimedStage
from firewall.detect.stage import DetectionStage
from firewall.guard.firewall import Firewall
from firewall.policy.stage import PolicyStage

OFF = {"detect.classifier": "off"}
"""The classifier loads a model: the tests that are not about it leave it off."""


class Marker:
    """An extra stage that decides nothing; the tests look for where it lands."""

    name = "marker"

    async def decide(self, event: object, view: object) -> None:
        return None


def stage_names(firewall: Firewall) -> list[str]:
    return [stage.name for stage in firewall.pipeline.stages]


def test_the_default_configuration_builds_every_stage_with_the_policy_last():
    firewall = build_firewall(load_config(None, **OFF), extra_stages=[Marker()])
    assert stage_names(firewall) == [
        "unknown_tool",
        "rules",
        "tool_list",
        "detect",
        "detect.tool_mentions",
        "marker",
        "policy",
    ]
    detect = firewall.pipeline.stages[3]
    assert isinstance(detect, TimedStage) and isinstance(detect.stage, DetectionStage)
    assert detect.seconds == 30.0
    assert isinstance(firewall.pipeline.stages[-1], PolicyStage)
    assert firewall.pipeline.fail_open is False
    assert firewall.audit.path is None
    assert (firewall.max_nodes, firewall.max_bytes) == (10_000, 16 * 1024 * 1024)


def test_no_detector_and_no_pack_leave_only_the_built_in_stages():
    overrides = {
        "detect.unicode": False,
        "detect.exfil": False,
        "detect.secrets": False,
        "detect.tool_mentions": False,
        "policy.packs": [],
    }
    firewall = build_firewall(load_config(None, **OFF, **overrides))
    assert stage_names(firewall) == ["unknown_tool", "rules", "tool_list"]


@pytest.mark.parametrize(
    ("detector", "outputs", "calls"),
    [("secrets", 2, 0), ("unicode", 1, 1), ("exfil", 1, 1)],
)
def test_each_detector_can_be_turned_off_alone(detector, outputs, calls):
    firewall = build_firewall(load_config(None, **OFF, **{f"detect.{detector}": False, "policy.packs": []}))
    (stage,) = [s for s in firewall.pipeline.stages if s.name == "detect"]
    assert isinstance(stage, TimedStage) and isinstance(stage.stage, DetectionStage)
    assert (len(stage.stage.output_detectors), len(stage.stage.call_detectors)) == (outputs, calls)


def test_the_configured_limits_and_audit_file_reach_the_firewall(tmp_path):
    path = tmp_path / "logs" / "audit.jsonl"
    config = load_config(
        None,
        **OFF,
        **{"audit.path": path, "audit.include_content": True, "provenance.max_nodes": 50},
    )
    firewall = build_firewall(config)
    try:
        assert firewall.audit.path == path and firewall.audit.include_content and path.exists()
        assert firewall.max_nodes == 50
    finally:
        firewall.audit.close()


def test_fail_open_is_built_in_and_warned_about(caplog):
    with caplog.at_level(logging.WARNING, logger="firewall.core.pipeline"):
        firewall = build_firewall(load_config(None, **OFF, fail_open=True))
    assert firewall.pipeline.fail_open is True
    assert any("FAIL-OPEN" in record.getMessage() for record in caplog.records)


def test_a_policy_folder_that_does_not_exist_fails_at_start_naming_it(tmp_path):
    missing = tmp_path / "no-such-rego"
    with pytest.raises(ConfigError, match="policy path not found") as raised:
        build_firewall(load_config(None, **OFF, **{"policy.rego_dir": missing}))
    assert str(missing) in str(raised.value)


def test_a_policy_folder_without_the_selected_pack_fails_listing_the_available_ones(tmp_path):
    (tmp_path / "mine.rego").write_text(
        "package mcp_firewall.packs.mine\nimport rego.v1\n\ndeny contains {} if false\n"
    )
    with pytest.raises(ConfigError, match=r"policy\.packs: unknown pack\(s\) \['baseline'\]") as raised:
        build_firewall(load_config(None, **OFF, **{"policy.rego_dir": tmp_path}))
    assert "available: ['mine']" in str(raised.value)


def test_a_policy_that_does_not_compile_is_a_config_error(tmp_path):
    (tmp_path / "broken.rego").write_text("package (\n")
    with pytest.raises(ConfigError, match="expecting identifier"):
        build_firewall(load_config(None, **OFF, **{"policy.extra": [tmp_path / "broken.rego"]}))


def test_the_policy_paths_are_the_bundled_folder_then_the_extra_ones(tmp_path):
    config = load_config(None, **{"policy.extra": [tmp_path]})
    assert policy_paths(config.policy) == [REGO_DIR, tmp_path]
    own = load_config(None, **{"policy.rego_dir": tmp_path / "rego"})
    assert policy_paths(own.policy) == [tmp_path / "rego"]


def test_an_unusable_audit_path_fails_at_start(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match=r"audit\.path"):
        build_firewall(load_config(None, **OFF, **{"audit.path": tmp_path / "file" / "audit.jsonl"}))


def test_the_classifier_off_is_none_and_a_model_path_that_cannot_load_is_a_config_error(tmp_path):
    assert build_classifier(load_config(None, **OFF).detect) is None
    missing = load_config(None, **{"detect.classifier": str(tmp_path / "no-model")})
    with pytest.raises(ConfigError, match=r"detect\.classifier: cannot load the model"):
        build_classifier(missing.detect)


def test_quietly_sends_what_the_build_prints_to_stderr(capsys):
    def noisy(config: FirewallConfig) -> Firewall:
        print("loading weights...")
        return build_firewall(config)

    quietly(noisy, load_config(None, **OFF))
    captured = capsys.readouterr()
    assert captured.out == "" and "loading weights..." in captured.err


# ------------------------------------------------------------------ run_wrap / run_gateway at start


@pytest.mark.anyio
async def test_a_server_command_that_cannot_start_exits_server_down(tmp_path, caplog):
    config = load_config(None, **OFF, **{"audit.path": tmp_path / "audit.jsonl"})
    with caplog.at_level(logging.ERROR, logger="firewall.app"):
        code = await run_wrap(config, [str(tmp_path / "no-such-server")])
    assert code == EXIT_SERVER_DOWN
    assert any("could not start the server" in record.getMessage() for record in caplog.records)


@pytest.mark.anyio
async def test_the_gateway_needs_a_server_and_its_http_front_a_token():
    with pytest.raises(ConfigError, match=r"at least one \[servers\.NAME\]"):
        await run_gateway(load_config(None, **OFF))
    config = load_config(
        None, **OFF, **{"servers": {"a": {"command": ["unused"]}}, "gateway.transport": "http"}
    )
    with pytest.raises(ConfigError, match=r"gateway\.tokens"):
        await run_gateway(config)


# ------------------------------------------------------------------ stopping_on_signals


@pytest.mark.anyio
async def test_a_body_that_ends_leaves_no_signal_received():
    async with stopping_on_signals() as received:
        await anyio.sleep(0)
    assert received == []


@pytest.mark.anyio
async def test_a_body_that_raises_raises_its_own_exception_not_a_group():
    with pytest.raises(ValueError, match="broken"):
        async with stopping_on_signals():
            raise ValueError("broken")


async def _until_handled(signum: int, before: object) -> None:
    """Wait until the watcher's handler replaced `before`: a signal sent earlier would kill us."""
    with anyio.fail_after(5):
        while signal.getsignal(signum) is before:
            await anyio.sleep(0.01)


@pytest.mark.anyio
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_cancels_the_body_and_is_reported(signum):
    before = signal.getsignal(signum)
    reached_the_end = False
    async with stopping_on_signals() as received:
        await _until_handled(signum, before)
        os.kill(os.getpid(), signum)
        await anyio.sleep(10)  # cancelled by the signal
        reached_the_end = True
    assert received == [signum] and not reached_the_end
    assert signal.getsignal(signum) is before  # our handler is gone again

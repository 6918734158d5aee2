"""The command line: every subcommand parses and documents itself, a bad configuration exits 2 with
a message naming the problem (never a traceback), and `python -m firewall` is the same program."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from firewall import __version__, cli
from firewall.app import EXIT_SERVER_DOWN, EXIT_USAGE
from firewall.audit import AuditLog, AuditRecord
from firewall.cli import main
from tests.support.processes import run

SUBCOMMANDS = [
    ["wrap"],
    ["serve"],
    ["demo"],
    ["policy"],
    ["policy", "test"],
    ["policy", "lint"],
    ["policy", "eval"],
    ["policy", "schema"],
    ["scan"],
    ["replay"],
    ["graph"],
]

QUIET = "[detect]\nclassifier = 'off'\n"


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
def test_each_subcommand_has_help_that_names_it(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: mcp-firewall {' '.join(command)}")


def test_the_version_and_a_missing_or_unknown_subcommand(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out == f"mcp-firewall {__version__}\n"
    for argv in ([], ["nonsense"], ["policy"], ["serve"], ["graph", "--format", "svg", "x"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == EXIT_USAGE, argv
        assert "usage: mcp-firewall" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[limits\n", "is not valid TOML"),
        ("[limits]\nmax_message_bytes = 'big'\n", "limits.max_message_bytes"),
        ("[gateway]\nprot = 1\n", "gateway.prot"),
    ],
    ids=["toml", "type", "unknown-key"],
)
@pytest.mark.parametrize("command", [["wrap"], ["serve"]], ids=" ".join)
def test_a_bad_config_exits_2_naming_the_problem(tmp_path, capsys, command, text, problem):
    argv = [*command, "--config", str(config_file(tmp_path, text))]
    assert main(argv + (["--", "unused"] if command == ["wrap"] else [])) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("mcp-firewall: ") and problem in err and "Traceback" not in err


def test_a_config_file_that_does_not_exist_exits_2(tmp_path, capsys):
    assert main(["wrap", "--config", str(tmp_path / "absent.toml"), "--", "x"]) == EXIT_USAGE
    assert "config file not found" in capsys.readouterr().err


def test_wrap_without_a_server_command_exits_2(tmp_path, capsys):
    config = str(config_file(tmp_path, QUIET))
    for argv in (["wrap", "--config", config], ["wrap", "--config", config, "--"]):
        assert main(argv) == EXIT_USAGE
        assert "give the server command after --" in capsys.readouterr().err


def test_wrap_with_a_server_that_cannot_start_exits_1(tmp_path):
    config = str(config_file(tmp_path, QUIET))
    # With and without the `--` separator: REMAINDER keeps it, the CLI drops it.
    for server in (["--", str(tmp_path / "absent")], [str(tmp_path / "absent")]):
        assert main(["wrap", "--config", config, *server]) == EXIT_SERVER_DOWN


def test_the_audit_log_option_beats_the_config_file(tmp_path, capsys):
    path = tmp_path / "not-a-folder"
    path.write_text("")
    config = str(config_file(tmp_path, QUIET + "[audit]\npath = 'elsewhere.jsonl'\n"))
    # The option's path is the one the firewall tries to open (and cannot: its parent is a file).
    argv = ["wrap", "--config", config, "--audit-log", str(path / "audit.jsonl"), "--", "x"]
    assert main(argv) == EXIT_USAGE
    assert f"audit.path: cannot append to {path / 'audit.jsonl'}" in capsys.readouterr().err


def test_a_gateway_without_servers_exits_2(tmp_path, capsys):
    assert main(["serve", "--config", str(config_file(tmp_path, QUIET))]) == EXIT_USAGE
    assert "the gateway needs at least one [servers.NAME]" in capsys.readouterr().err


def test_scan_with_a_bad_config_or_the_classifier_off_exits_2(tmp_path, capsys):
    assert main(["scan", "--config", str(config_file(tmp_path, "[detect]\nbatch_size = 0\n"))]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("mcp-firewall scan: ") and "detect.batch_size" in err
    argv = ["scan", "--config", str(config_file(tmp_path, QUIET)), "--batch", "4", "--device", "cpu"]
    assert main(argv) == EXIT_USAGE
    assert "the classifier is off" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([*argv[:-2], "--device", "tpu"])
    assert exited.value.code == EXIT_USAGE and "invalid choice: 'tpu'" in capsys.readouterr().err


def test_ctrl_c_before_the_signal_handler_is_up_exits_130(tmp_path, monkeypatch):
    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.anyio, "run", interrupted)
    assert main(["wrap", "--config", str(config_file(tmp_path, QUIET)), "--", "x"]) == 130


# ------------------------------------------------------------------ graph


def audit_with_two_sessions(tmp_path: Path) -> Path:
    """An audit log with one call in each of two sessions, as the firewall writes it."""
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    trusted = {"trust": "trusted", "confidentiality": "public"}
    for session in ("first", "second"):
        provenance = {"node": 1, "taint": trusted, "context": trusted, "classes": [], "derived_from": []}
        record = AuditRecord(
            time="2026-01-01T00:00:00+00:00",
            session=session,
            principal="local",
            server="mail",
            kind="tool_call",
            tool="send",
            decision="allow",
            rule_ids=[],
            findings=[],
            provenance=provenance,
        )
        log.write(record)
    log.close()
    return path


def test_graph_renders_the_last_session_or_the_one_asked_for(tmp_path, capsys):
    path = audit_with_two_sessions(tmp_path)
    assert main(["graph", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["graph"]["session"] == "second"
    assert main(["graph", str(path), "--session", "first", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith('digraph "session first"')


def test_graph_exits_2_on_an_unknown_session_an_unreadable_log_or_one_without_provenance(tmp_path, capsys):
    path = audit_with_two_sessions(tmp_path)
    assert main(["graph", str(path), "--session", "third"]) == EXIT_USAGE
    assert "no session 'third'; sessions: first, second" in capsys.readouterr().err
    assert main(["graph", str(tmp_path / "absent.jsonl")]) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err
    garbled = tmp_path / "garbled.jsonl"
    garbled.write_text("{not json\n")
    assert main(["graph", str(garbled)]) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"session": "s", "kind": "tool_call"}\n')
    assert main(["graph", str(empty)]) == EXIT_USAGE
    assert "has no provenance records" in capsys.readouterr().err


# ------------------------------------------------------------------ python -m firewall


def test_python_dash_m_firewall_is_the_cli():
    completed = run([sys.executable, "-m", "firewall", "--version"], timeout=120, stdout=subprocess.PIPE)
    assert completed.returncode == 0
    assert completed.stdout.decode().strip() == f"mcp-firewall {__version__}"
